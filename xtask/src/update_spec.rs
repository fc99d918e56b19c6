//! `cargo xtask update-spec`: replace `openapi.json` with a new release of
//! Osigu's spec, but only if the SDK can still be generated from it, and
//! say what the release changes for users.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use osigu_codegen::{CodegenError, ReleaseSummary, RustApi, Surface};
use serde_json::Value;

use crate::fetch::{FetchError, fetch};
use crate::reference::{CatalogueSection, Expectations};

/// Where Osigu publishes the spec on each release.
pub const DEFAULT_URL: &str = "https://auth-docs.osigu.com/openapi.json";

/// Long enough for a slow link to a few hundred kilobytes; short enough
/// that an unreachable host does not look like a hang.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Where the new spec comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Downloaded from this URL.
    Url(String),
    /// Read from a file already on disk.
    File(PathBuf),
}

/// What `update-spec` was asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateOptions {
    /// The new spec.
    pub source: Source,
    /// Report, but leave `openapi.json` alone.
    pub dry_run: bool,
    /// Also write the summary, as a CHANGELOG entry, to this file.
    pub summary_file: Option<PathBuf>,
    /// Deadline for the download.
    pub timeout: Duration,
    /// The reference folder the new spec is compared with, for the
    /// summary's catalogue section. When it is missing, the section says so
    /// and the update goes ahead.
    pub reference_dir: PathBuf,
    /// What that folder is expected to hold.
    pub reference_expectations: Expectations,
}

impl Default for UpdateOptions {
    fn default() -> Self {
        Self {
            source: Source::Url(DEFAULT_URL.to_owned()),
            dry_run: false,
            summary_file: None,
            timeout: DEFAULT_TIMEOUT,
            reference_dir: crate::paths::reference_dir(),
            reference_expectations: Expectations::default(),
        }
    }
}

/// What a successful run did.
#[derive(Debug)]
pub struct Outcome {
    /// What the new spec changes.
    pub summary: ReleaseSummary,
    /// How the new spec compares with the documented catalogue of the
    /// reference folder, or why that was skipped.
    pub catalogue: CatalogueSection,
    /// Whether `openapi.json` was (or, in a dry run, would be) rewritten.
    pub changed: bool,
    /// Whether `sdk-overlay.json` was (or would be) rewritten to pin the
    /// release's operations.
    pub pins_changed: bool,
    /// Set when the current `openapi.json` could not be read or generated,
    /// so the summary compares against nothing.
    pub previous_unusable: Option<String>,
}

/// Why `openapi.json` was left as it was.
#[derive(Debug)]
pub enum UpdateError {
    /// The download failed.
    Fetch(FetchError),
    /// A file could not be read.
    Read { path: PathBuf, reason: String },
    /// The new spec is not JSON.
    NotJson { origin: String, reason: String },
    /// The new spec is not OpenAPI 3.0.x.
    Version { origin: String, found: String },
    /// The SDK cannot be generated from the new spec.
    Codegen { origin: String, error: CodegenError },
    /// A file could not be written.
    Write { path: PathBuf, reason: String },
}

impl fmt::Display for UpdateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Fetch(e) => e.fmt(f),
            Self::Read { path, reason } => write!(f, "cannot read {}: {reason}", path.display()),
            Self::NotJson { origin, reason } => write!(f, "{origin} is not JSON: {reason}"),
            Self::Version { origin, found } => write!(
                f,
                "{origin} is OpenAPI {found}; progenitor 0.15 generates from OpenAPI 3.0.x only"
            ),
            Self::Codegen { origin, error } => {
                write!(f, "the SDK cannot be generated from {origin}: {error}")
            }
            Self::Write { path, reason } => write!(f, "cannot write {}: {reason}", path.display()),
        }
    }
}

impl std::error::Error for UpdateError {}

/// Fetches the new spec, checks that the SDK generates from it, compares it
/// with `root/openapi.json`, and (unless a dry run) rewrites that file in
/// canonical form. On any error the file is left byte-for-byte as it was.
pub async fn update_spec(root: &Path, options: &UpdateOptions) -> Result<Outcome, UpdateError> {
    let (origin, text) = match &options.source {
        Source::Url(url) => (
            url.clone(),
            fetch(url, options.timeout)
                .await
                .map_err(UpdateError::Fetch)?,
        ),
        Source::File(path) => (
            path.display().to_string(),
            std::fs::read_to_string(path).map_err(|e| UpdateError::Read {
                path: path.clone(),
                reason: e.to_string(),
            })?,
        ),
    };
    let new_spec: Value = serde_json::from_str(&text).map_err(|e| UpdateError::NotJson {
        origin: origin.clone(),
        reason: e.to_string(),
    })?;
    let found = new_spec
        .get("openapi")
        .and_then(Value::as_str)
        .unwrap_or("(no \"openapi\" field)");
    if !found.starts_with("3.0.") {
        return Err(UpdateError::Version {
            origin,
            found: found.to_owned(),
        });
    }
    let overlay_path = root.join("sdk-overlay.json");
    let pins_before = std::fs::read_to_string(&overlay_path).ok();
    let overlay: Value = match &pins_before {
        Some(text) => serde_json::from_str(text).map_err(|e| UpdateError::NotJson {
            origin: overlay_path.display().to_string(),
            reason: e.to_string(),
        })?,
        None => Value::Object(Default::default()),
    };

    let target = root.join("openapi.json");
    let current_text = std::fs::read_to_string(&target).ok();
    let current_spec = current_text
        .as_deref()
        .ok_or_else(|| format!("{} does not exist", target.display()))
        .and_then(|text| serde_json::from_str::<Value>(text).map_err(|e| format!("not JSON: {e}")));
    // Pins follow the operations of the new release: a renamed operation
    // keeps the name users call, a new one is pinned as Osigu names it.
    let old_raw = current_spec.as_ref().unwrap_or(&Value::Null);
    let new_overlay = osigu_codegen::maintain_pins(&overlay, old_raw, &new_spec);
    let (new_surface, new_api) =
        generate(&new_spec, &new_overlay).map_err(|error| UpdateError::Codegen {
            origin: origin.clone(),
            error,
        })?;
    let previous = current_spec.and_then(|spec| {
        let (surface, api) = generate(&spec, &overlay).map_err(|e| e.to_string())?;
        Ok((spec, surface, api))
    });
    let empty = (Value::Null, Surface::default(), RustApi::default());
    let (previous_unusable, (old_spec, old_surface, old_api)) = match previous {
        Ok(side) => (None, side),
        Err(reason) => (Some(reason), empty),
    };

    let mut summary = osigu_codegen::release_summary(
        osigu_codegen::Release {
            spec: &old_spec,
            surface: &old_surface,
            api: &old_api,
        },
        osigu_codegen::Release {
            spec: &new_spec,
            surface: &new_surface,
            api: &new_api,
        },
    );
    summary.renames = osigu_codegen::renames(&old_spec, &new_spec, &overlay);
    let canonical = osigu_codegen::canonical_json(&new_spec);
    let changed = current_text.as_deref() != Some(canonical.as_str());
    let pins = osigu_codegen::overlay_text(&new_overlay);
    let pins_changed = pins_before.as_deref() != Some(pins.as_str());
    if !options.dry_run {
        // The pins first: a spec without its pins would rename methods.
        if pins_changed {
            write_atomically(&overlay_path, &pins)?;
        }
        if changed {
            write_atomically(&target, &canonical)?;
        }
    }
    let catalogue = CatalogueSection::compute(
        &new_spec,
        &options.reference_dir,
        &options.reference_expectations,
    );
    let outcome = Outcome {
        summary,
        catalogue,
        changed,
        pins_changed,
        previous_unusable,
    };
    if let Some(path) = &options.summary_file {
        std::fs::write(path, outcome.release_notes()).map_err(|e| UpdateError::Write {
            path: path.clone(),
            reason: e.to_string(),
        })?;
    }
    Ok(outcome)
}

impl Outcome {
    /// What `update-spec` prints and writes to `--summary-file`: the release
    /// summary, then the catalogue section.
    pub fn release_notes(&self) -> String {
        format!("{}\n{}", self.summary, self.catalogue)
    }
}

/// The surface and Rust API the SDK would have, pins and all (what
/// build.rs compiles).
fn generate(spec: &Value, overlay: &Value) -> Result<(Surface, RustApi), CodegenError> {
    let (normalised, generated) = osigu_codegen::sdk_pipeline(spec, overlay)?;
    Ok((
        osigu_codegen::surface(&normalised, &generated)?,
        osigu_codegen::rust_api(&generated)?,
    ))
}

/// A crash mid-write must not leave half a spec behind: write beside the
/// target, then rename over it.
fn write_atomically(target: &Path, text: &str) -> Result<(), UpdateError> {
    let temporary = target.with_extension(format!("json.{}.tmp", std::process::id()));
    let error = |e: std::io::Error| UpdateError::Write {
        path: target.to_owned(),
        reason: e.to_string(),
    };
    std::fs::write(&temporary, text).map_err(error)?;
    std::fs::rename(&temporary, target).map_err(|e| {
        let _ = std::fs::remove_file(&temporary);
        error(e)
    })
}
