//! Sponsors, beneficiary search and lookup, sponsor rules and external
//! providers.

use serde_json::{Value, json};
use tokio::time::Instant;

use super::prelude::*;
use crate::input::{TextQuery, numeric_id};
use crate::state::random_uuid;
use crate::store::{Beneficiary, Decision, Sponsor};

/// `listSponsors`.
pub(crate) async fn list_sponsors(State(app): Shared) -> Response {
    ok_list(app.db().sponsors.iter().map(Sponsor::resource))
}

/// The lookup forms every sponsor takes: (slug, name).
const FORMS: [(&str, &str); 2] = [
    ("national-id", "National identity document"),
    ("member-id", "Member number"),
];

/// The forms' fields, numbered from 1 in this order: (form, slug, type).
const FIELDS: [(&str, &str, &str); 3] = [
    ("national-id", "document_type", "enum"),
    ("national-id", "document_number", "string"),
    ("member-id", "member_code", "string"),
];

/// `listSponsorForms`: the two forms every sponsor takes.
pub(crate) async fn sponsor_forms(State(app): Shared, Path(slug): Id) -> ApiResult<Response> {
    let sponsor = app.db().sponsor_or_404(&slug)?;
    let form = |(form_slug, name): &(&str, &str)| {
        let fields = FIELDS
            .iter()
            .zip(1_i64..)
            .filter(|((form, ..), _)| form == form_slug);
        let fields = fields.map(|((_, field, kind), id)| {
            typed!(types::AuthorizationFormResourceFieldsItem; id = id, slug = *field, type_ = *kind)
        });
        typed!(types::AuthorizationFormResource;
            form_slug = *form_slug, fallback_name = *name, sponsor_slug = sponsor.slug,
            authorization_coverage = types::CoverageType::PrescriptionDrugs, reimbursement = false;
            fields = fields.collect())
    };
    Ok(ok_list(FORMS.iter().map(form)))
}

/// `searchBeneficiary`: finds a beneficiary of the sponsor by
/// `document_number` / `identity_document_id` or `member_code`. An inactive
/// coverage is still a 200, with `status: DISABLED` and `coverage.active:
/// false`.
pub(crate) async fn search_beneficiary(
    State(app): Shared,
    Path(slug): Id,
    ApiJson(types::BeneficiarySearchRequest(body)): ApiJson<types::BeneficiarySearchRequest>,
) -> ApiResult<Response> {
    let db = app.db();
    db.sponsor_or_404(&slug)?;
    let text = |key: &str| body.get(key).map(|v| v.trim().to_owned());
    let document = text("document_number").or_else(|| text("identity_document_id"));
    let member = text("member_code").or_else(|| text("member_id"));
    refuse_if!(document.is_none() && member.is_none(); "document_number", "fill in one of the sponsor's forms: document_number or member_code");
    let found = db.beneficiaries.iter().find(|b| {
        b.sponsor_slug == slug
            && (document.as_deref() == Some(b.document_number)
                || member.as_deref() == Some(b.member_code))
    });
    let Some(b) = found else {
        let message = "no beneficiary matches the search";
        let error = ApiError::new(StatusCode::NOT_FOUND, "071-404", message);
        return Err(error.with_info("sponsor_slug", slug));
    };
    let until = app.clock.date_in_days(if b.active { 365 } else { 0 });
    Ok(ok(b.resource(until)))
}

/// `getDependents`.
pub(crate) async fn dependents(
    State(app): Shared,
    Path((slug, beneficiary)): Path<(String, String)>,
) -> ApiResult<Response> {
    let db = app.db();
    db.sponsor_or_404(&slug)?;
    let holder = numeric_id(&beneficiary)
        .and_then(|id| db.beneficiary(id))
        .filter(|b| b.sponsor_slug == slug)
        .or_404("beneficiary", &beneficiary)?;
    let until = app.clock.date_in_days(365);
    let dependents = db
        .beneficiaries
        .iter()
        .filter(|b| b.holder_id == Some(holder.id));
    Ok(ok_list(dependents.map(|b| b.resource(until))))
}

/// The product type a sponsor's rules are asked for (MEDICATION unless
/// named).
#[derive(Debug, Deserialize)]
pub(crate) struct ProductTypeQuery {
    product_type: Option<String>,
}

impl ProductTypeQuery {
    fn product_type(self) -> String {
        self.product_type.unwrap_or_else(|| "MEDICATION".to_owned())
    }
}

/// `getSponsorConfiguration`: the sponsor's rules (the spec gives that
/// answer no fixed shape).
pub(crate) async fn sponsor_configuration(
    State(app): Shared,
    Path(slug): Id,
    ApiQuery(query): ApiQuery<ProductTypeQuery>,
) -> ApiResult<Response> {
    let sponsor = app.db().sponsor_or_404(&slug)?;
    let synchronous = sponsor.decision == Decision::Sync;
    let otp_steps = [
        "AUTHORIZATION_REQUEST_COMPLETION",
        "DISPENSATION_COMPLETION",
    ];
    let Value::Object(rules) = json!({
        "sponsor_slug": sponsor.slug,
        "product_type": query.product_type(),
        "decision_mode": if synchronous { "SYNC" } else { "ASYNC" },
        "synchronous": synchronous,
        "otp_required": sponsor.otp_required,
        "otp_required_for": if sponsor.otp_required { &otp_steps[..] } else { &[] },
        "biometric_required": false,
        "authorization_types": ["PRE_AUTHORIZATION", "DIRECT"],
        "required_fields":
            ["beneficiary_id", "diagnoses", "doctor_medical_license_number", "products"],
        "required_documents": sponsor.required_documents,
        "currency": sponsor.currency,
    }) else {
        return Err(ApiError::internal("the sponsor's rules did not render"));
    };
    Ok(ok(types::SponsorConfigurationResponse(rules)))
}

/// `getAuthorizationDocumentPolicy` (v1 and v2).
pub(crate) async fn document_policy(
    State(app): Shared,
    Path(slug): Id,
    ApiQuery(query): ApiQuery<ProductTypeQuery>,
) -> ApiResult<Response> {
    let sponsor = app.db().sponsor_or_404(&slug)?;
    let requirement = |file_type: &str, required: bool, description: String| {
        typed!(types::DocumentPolicyRequirement;
            file_type = file_type, required = required, description = description)
    };
    let documents = sponsor.required_documents.iter().map(|kind| {
        let what = kind.to_lowercase().replace('_', " ");
        requirement(
            kind,
            true,
            format!("A {what} signed by the treating doctor"),
        )
    });
    let further = "Any further medical indication".to_owned();
    let further = requirement("MEDICAL_INDICATION", false, further);
    let policy = typed!(types::DocumentPolicyResource;
        sponsor_slug = sponsor.slug, product_type = query.product_type();
        documents = documents.chain([further]).collect());
    Ok(ok(policy))
}

const PROVIDERS: &[(&str, &str, &str)] = &[
    ("farmacia-central", "Farmacia Central", "GT"),
    ("laboratorio-vida", "Laboratorio Vida", "GT"),
    ("clinica-santo-domingo", "Clínica Santo Domingo", "DO"),
];

/// `searchExternalProviders`.
pub(crate) async fn external_providers(ApiQuery(q): ApiQuery<TextQuery>) -> Response {
    let needle = q.query.unwrap_or_default().to_lowercase();
    let found = PROVIDERS.iter().filter(|(slug, name, _)| {
        needle.is_empty() || slug.contains(&needle) || name.to_lowercase().contains(&needle)
    });
    ok_list(found.map(|(slug, name, country)| {
        typed!(types::ExternalProviderResource;
            provider_slug = *slug, name = *name, country_code = *country)
    }))
}

/// Where an asynchronous beneficiary lookup's monitor is read (a route of
/// the sandbox's own: the spec leaves the monitor's path to `Location`).
pub(crate) const LOOKUP_MONITOR: &str = "/beneficiary-lookup/v1/monitors/{monitor_id}";

/// The beneficiaries of `sponsor` a lookup form's inputs name: form
/// `national-id` matches `document_number`, form `member-id` matches
/// `member_code`.
fn lookup_matches(
    db: &Db,
    sponsor: &str,
    body: &types::BeneficiaryLookupRequest,
) -> ApiResult<Vec<types::BeneficiaryLookupResult>> {
    let input = |slug: &str| {
        let given = body.inputs.iter().find(|i| i.slug == slug);
        given.map(|i| i.value.trim().to_owned())
    };
    let wanted = match body.form_slug.as_str() {
        "national-id" => input("document_number").or_else(|| input("identity_document_id")),
        "member-id" => input("member_code"),
        _ => {
            let message = "the sponsor's forms are national-id and member-id";
            return Err(ApiError::unprocessable("form_slug", message));
        }
    };
    let wanted =
        wanted.ok_or_else(|| ApiError::unprocessable("inputs", "fill in the form's input"))?;
    let named = |b: &&Beneficiary| b.document_number == wanted || b.member_code == wanted;
    let of_sponsor = db
        .beneficiaries
        .iter()
        .filter(|b| b.sponsor_slug == sponsor);
    Ok(of_sponsor
        .filter(named)
        .map(Beneficiary::lookup_result)
        .collect())
}

/// `lookupBeneficiaries`: a page of the people found; the asynchronous
/// sponsor answers 202 with a `Location` to a monitor instead.
pub(crate) async fn lookup_beneficiaries(
    State(app): Shared,
    Path(slug): Id,
    ApiJson(body): ApiJson<types::BeneficiaryLookupRequest>,
) -> ApiResult<Response> {
    let mut db = app.db();
    let sponsor = db.sponsor_or_404(&slug)?;
    let found = lookup_matches(&db, sponsor.slug, &body)?;
    if sponsor.decision == Decision::Sync {
        let paged = Paged::first(path_of("lookupBeneficiaries", &[&slug]));
        return Ok(paged.reply(&app.base_url, found));
    }
    let id = random_uuid().to_string();
    let ready_at = Instant::now() + app.config.async_sponsor_delay_value();
    db.lookups.insert(id.clone(), (ready_at, found));
    let location = LOOKUP_MONITOR.replace("{monitor_id}", &id);
    Ok(located(StatusCode::ACCEPTED.into_response(), &location))
}

/// The monitor of an asynchronous lookup: IN_PROGRESS until the sponsor's
/// delay has passed, then COMPLETED with the people found.
pub(crate) async fn lookup_monitor(State(app): Shared, Path(id): Id) -> ApiResult<Response> {
    let db = app.db();
    let lookup = db.lookups.get(&id);
    let (ready_at, found) = lookup.or_404("lookup monitor", &id)?;
    let monitor = if Instant::now() >= *ready_at {
        typed!(types::BeneficiaryLookupMonitor;
            status = types::MonitorStatus::Completed; content = found.clone())
    } else {
        typed!(types::BeneficiaryLookupMonitor; status = types::MonitorStatus::InProgress)
    };
    Ok(ok(monitor))
}
