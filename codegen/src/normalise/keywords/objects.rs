//! The walk over the OpenAPI object model: every place a schema can sit
//! (components, path items, operations, callbacks, parameters, headers,
//! request bodies, responses, media types), and the few keywords of those
//! objects that take booleans or text.

use serde_json::{Map, Value, json};

use super::{Holder, Walker, short};
use crate::report::{Rule, Target};
use crate::spec::{METHODS, escape};

impl Walker<'_> {
    pub(super) fn document(&mut self, spec: &mut Value) {
        let Some(root) = spec.as_object_mut() else {
            return;
        };
        if let Some(Value::Object(components)) = root.get_mut("components") {
            self.components(components);
        }
        if let Some(Value::Object(paths)) = root.get_mut("paths") {
            for (path, item) in paths.iter_mut() {
                let pointer = format!("/paths/{}", escape(path));
                self.path_item(item, &pointer, 0);
            }
        }
    }

    fn components(&mut self, components: &mut Map<String, Value>) {
        let each = |components: &mut Map<String, Value>, kind: &str| -> Vec<(String, Value)> {
            match components.get_mut(kind) {
                Some(Value::Object(map)) => std::mem::take(map).into_iter().collect(),
                _ => Vec::new(),
            }
        };
        for kind in [
            "schemas",
            "parameters",
            "headers",
            "requestBodies",
            "responses",
            "callbacks",
        ] {
            let entries = each(components, kind);
            if entries.is_empty() {
                continue;
            }
            let mut repaired = Map::new();
            for (name, mut value) in entries {
                let pointer = format!("/components/{kind}/{}", escape(&name));
                match kind {
                    "schemas" => {
                        // A component schema cannot simply vanish: references
                        // to it would dangle. Anything unreadable becomes `{}`.
                        let flag = self.schema(&mut value, &pointer, 0);
                        self.stray_required(flag, &pointer);
                    }
                    "parameters" => self.parameter(&mut value, &pointer, Holder::Other),
                    "headers" => self.header(&mut value, &pointer),
                    "requestBodies" => self.request_body(&mut value, &pointer),
                    "responses" => self.response(&mut value, &pointer),
                    _ => self.callback(&mut value, &pointer, 0),
                }
                repaired.insert(name, value);
            }
            components.insert(kind.to_owned(), Value::Object(repaired));
        }
        if let Some(Value::Object(schemes)) = components.get_mut("securitySchemes") {
            let names: Vec<String> = schemes.keys().cloned().collect();
            for name in names {
                let pointer = format!("/components/securitySchemes/{}", escape(&name));
                if let Some(scheme) = schemes.get_mut(&name)
                    && !self.security_scheme(scheme, &pointer)
                {
                    schemes.remove(&name);
                }
            }
        }
    }

    /// progenitor ignores security schemes (auth is the caller's to supply),
    /// but `openapiv3` still has to read them. An OAuth flow without
    /// `scopes` is read as one with none; a scheme that still does not read
    /// is removed. Returns whether the scheme stays.
    fn security_scheme(&mut self, scheme: &mut Value, pointer: &str) -> bool {
        let reads = |s: &Value| {
            serde_json::from_value::<openapiv3::ReferenceOr<openapiv3::SecurityScheme>>(s.clone())
                .is_ok()
        };
        if reads(scheme) {
            return true;
        }
        if let Some(Value::Object(flows)) = scheme.get_mut("flows") {
            for (flow_name, flow) in flows.iter_mut() {
                if let Some(flow) = flow.as_object_mut()
                    && !flow.get("scopes").is_some_and(Value::is_object)
                {
                    flow.insert("scopes".into(), json!({}));
                    self.coerced(pointer, format!("OAuth flow {flow_name} without a map of scopes read as one with no scopes"));
                }
            }
            if reads(scheme) {
                return true;
            }
        }
        self.dropped(pointer, false, "security scheme removed: it does not read as OpenAPI, and progenitor does not use security schemes".into());
        false
    }

    fn path_item(&mut self, item: &mut Value, pointer: &str, depth: usize) {
        let Some(item) = item.as_object_mut() else {
            return;
        };
        self.text(item, "summary", pointer);
        self.text(item, "description", pointer);
        self.parameter_list(item, pointer);
        for method in METHODS {
            if let Some(Value::Object(op)) = item.get_mut(method) {
                let pointer = format!("{pointer}/{method}");
                self.operation(op, &pointer, depth);
            }
        }
    }

    fn operation(&mut self, op: &mut Map<String, Value>, pointer: &str, depth: usize) {
        self.text(op, "summary", pointer);
        self.text(op, "description", pointer);
        self.flag(op, "deprecated", pointer, false);
        match op.get("tags") {
            Some(Value::String(tag)) => {
                let tag = tag.clone();
                self.coerced(pointer, format!("tags {tag:?} read as a one-tag list"));
                op.insert("tags".into(), json!([tag]));
            }
            Some(Value::Array(tags)) if tags.iter().any(|t| !t.is_string()) => {
                let kept: Vec<Value> = tags.iter().filter(|t| t.is_string()).cloned().collect();
                self.dropped(pointer, false, "tags that are not strings removed".into());
                op.insert("tags".into(), Value::Array(kept));
            }
            Some(Value::Array(_)) | None => {}
            Some(other) => {
                let other = other.clone();
                self.dropped(
                    pointer,
                    false,
                    format!("tags {other} removed: not a list of names"),
                );
                op.remove("tags");
            }
        }
        self.parameter_list(op, pointer);
        if let Some(body) = op.get_mut("requestBody") {
            self.request_body(body, &format!("{pointer}/requestBody"));
        }
        if let Some(Value::Object(responses)) = op.get_mut("responses") {
            for (status, response) in responses.iter_mut() {
                self.response(response, &format!("{pointer}/responses/{}", escape(status)));
            }
        }
        match op.get_mut("callbacks") {
            Some(Value::Object(callbacks)) => {
                for (name, callback) in callbacks.iter_mut() {
                    self.callback(
                        callback,
                        &format!("{pointer}/callbacks/{}", escape(name)),
                        depth,
                    );
                }
            }
            None => {}
            Some(_) => {
                op.remove("callbacks");
                self.dropped(
                    pointer,
                    false,
                    "callbacks removed: not a map of callbacks (progenitor does not generate them)"
                        .into(),
                );
            }
        }
    }

    fn callback(&mut self, callback: &mut Value, pointer: &str, depth: usize) {
        if depth >= 4 {
            return;
        }
        let Some(callback) = callback.as_object_mut() else {
            return;
        };
        if callback.get("$ref").is_some_and(Value::is_string) {
            return;
        }
        for (expression, item) in callback.iter_mut() {
            self.path_item(
                item,
                &format!("{pointer}/{}", escape(expression)),
                depth + 1,
            );
        }
    }

    fn parameter_list(&mut self, holder: &mut Map<String, Value>, pointer: &str) {
        match holder.get_mut("parameters") {
            Some(Value::Array(list)) => {
                let before = list.len();
                list.retain(|p| !p.is_null());
                if list.len() != before {
                    self.dropped(pointer, false, "null entries in parameters removed".into());
                }
                for (i, param) in list.iter_mut().enumerate() {
                    self.parameter(
                        param,
                        &format!("{pointer}/parameters/{i}"),
                        Holder::OperationParameter,
                    );
                }
            }
            None => {}
            Some(Value::Null) => {
                holder.remove("parameters");
                self.dropped(pointer, false, "parameters null removed".into());
            }
            Some(other) => {
                let other = other.clone();
                holder.remove("parameters");
                self.dropped(
                    pointer,
                    true,
                    format!("parameters {other} removed: not a list"),
                );
            }
        }
    }

    fn parameter(&mut self, param: &mut Value, pointer: &str, holder: Holder) {
        let Some(p) = param.as_object_mut() else {
            return;
        };
        if p.get("$ref").is_some_and(Value::is_string) {
            return;
        }
        if let Some(Value::Number(n)) = p.get("name") {
            let name = n.to_string();
            self.coerced(pointer, format!("name {name} read as the string {name:?}"));
            p.insert("name".into(), Value::String(name));
        }
        for key in ["allowEmptyValue", "allowReserved", "explode"] {
            self.flag(p, key, pointer, false);
        }
        self.parameter_like(p, pointer, holder);
    }

    fn header(&mut self, header: &mut Value, pointer: &str) {
        let Some(h) = header.as_object_mut() else {
            return;
        };
        if h.get("$ref").is_some_and(Value::is_string) {
            return;
        }
        self.flag(h, "explode", pointer, false);
        self.parameter_like(h, pointer, Holder::Other);
    }

    /// What parameters and headers share: flags, `schema` or `content`.
    fn parameter_like(&mut self, p: &mut Map<String, Value>, pointer: &str, holder: Holder) {
        self.flag(p, "required", pointer, true);
        self.flag(p, "deprecated", pointer, false);
        self.text(p, "description", pointer);
        if p.get("style").is_some_and(|s| !s.is_string()) {
            let style = p.remove("style").unwrap_or_default();
            self.dropped(
                pointer,
                false,
                format!("style {style} removed: not a style name; the default style applies"),
            );
        }
        if p.get("schema").is_some_and(Value::is_null) {
            p.remove("schema");
            self.dropped(pointer, false, "schema null removed".into());
        }
        match p.get_mut("content") {
            Some(Value::Object(content)) => {
                for (media_type, media) in content.iter_mut() {
                    self.media_type(media, &format!("{pointer}/content/{}", escape(media_type)));
                }
            }
            None => {}
            Some(_) => {
                let content = p.remove("content").unwrap_or_default();
                self.dropped(
                    pointer,
                    false,
                    format!("content {content} removed: not a map of media types"),
                );
            }
        }
        if p.contains_key("schema") && p.contains_key("content") {
            // OpenAPI allows one or the other; the schema is what progenitor reads.
            p.remove("content");
            self.dropped(
                pointer,
                false,
                "content removed: a schema is given as well, and only one may be".into(),
            );
        }
        if let Some(schema) = p.get_mut("schema") {
            let schema_pointer = format!("{pointer}/schema");
            match self.schema(schema, &schema_pointer, 0) {
                Some(true) => {
                    let already = p.get("required") == Some(&Value::Bool(true));
                    p.insert("required".into(), Value::Bool(true));
                    self.ctx.report.push(
                        Rule::RequiredMoved,
                        Target::Schema(schema_pointer),
                        false,
                        if already {
                            "`required: true` inside the schema removed: the parameter is already required".into()
                        } else {
                            "`required: true` inside the schema moved to the parameter".into()
                        },
                    );
                }
                Some(false) => self.dropped(
                    &schema_pointer,
                    false,
                    "`required: false` inside the schema removed: the parameter's own flag decides"
                        .into(),
                ),
                None => {}
            }
        } else if !p.contains_key("content") && holder == Holder::Other {
            p.insert("schema".into(), json!({"type": "string"}));
            self.ctx.report.push(
                Rule::SchemaAdded,
                Target::Schema(pointer.to_owned()),
                false,
                "no schema and no content; read as a string".into(),
            );
        }
    }

    fn request_body(&mut self, body: &mut Value, pointer: &str) {
        let Some(b) = body.as_object_mut() else {
            return;
        };
        if b.get("$ref").is_some_and(Value::is_string) {
            return;
        }
        self.flag(b, "required", pointer, true);
        self.text(b, "description", pointer);
        self.content(b, pointer);
    }

    fn response(&mut self, response: &mut Value, pointer: &str) {
        let Some(r) = response.as_object_mut() else {
            return;
        };
        if r.get("$ref").is_some_and(Value::is_string) {
            return;
        }
        match r.get("description") {
            Some(Value::String(_)) | None => {}
            Some(Value::Number(_) | Value::Bool(_)) => self.text(r, "description", pointer),
            Some(other) => {
                // A response must have a description; an empty one says as little.
                let other = other.clone();
                r.insert("description".into(), json!(""));
                self.dropped(
                    pointer,
                    false,
                    format!("description {other} replaced by an empty one: not text"),
                );
            }
        }
        match r.get_mut("headers") {
            Some(Value::Object(headers)) => {
                for (name, header) in headers.iter_mut() {
                    self.header(header, &format!("{pointer}/headers/{}", escape(name)));
                }
            }
            None => {}
            Some(_) => {
                let headers = r.remove("headers").unwrap_or_default();
                self.dropped(
                    pointer,
                    false,
                    format!("headers {headers} removed: not a map of headers"),
                );
            }
        }
        self.content(r, pointer);
    }

    fn content(&mut self, holder: &mut Map<String, Value>, pointer: &str) {
        match holder.get_mut("content") {
            Some(Value::Object(content)) => {
                for (media_type, media) in content.iter_mut() {
                    self.media_type(media, &format!("{pointer}/content/{}", escape(media_type)));
                }
            }
            None => {}
            Some(_) => {
                let content = holder.remove("content").unwrap_or_default();
                self.dropped(
                    pointer,
                    true,
                    format!("content {content} removed: not a map of media types"),
                );
            }
        }
    }

    fn media_type(&mut self, media: &mut Value, pointer: &str) {
        match &*media {
            Value::Object(_) => {}
            Value::Null => {
                *media = json!({});
                self.coerced(
                    pointer,
                    "media type null read as one without a schema".into(),
                );
            }
            other => {
                let was = short(other);
                *media = json!({});
                self.dropped(
                    pointer,
                    true,
                    format!("media type {was} replaced by one without a schema: not an object"),
                );
            }
        }
        let Some(m) = media.as_object_mut() else {
            return;
        };
        if m.get("schema").is_some_and(Value::is_null) {
            m.remove("schema");
            self.dropped(pointer, false, "schema null removed".into());
        }
        if let Some(schema) = m.get_mut("schema") {
            let schema_pointer = format!("{pointer}/schema");
            let flag = self.schema(schema, &schema_pointer, 0);
            self.stray_required(flag, &schema_pointer);
        }
        match m.get_mut("encoding") {
            Some(Value::Object(encoding)) => {
                for (property, enc) in encoding.iter_mut() {
                    if let Some(Value::Object(headers)) = enc.get_mut("headers") {
                        for (name, header) in headers.iter_mut() {
                            let at = format!(
                                "{pointer}/encoding/{}/headers/{}",
                                escape(property),
                                escape(name)
                            );
                            self.header(header, &at);
                        }
                    }
                }
            }
            None => {}
            Some(_) => {
                let encoding = m.remove("encoding").unwrap_or_default();
                self.dropped(
                    pointer,
                    false,
                    format!("encoding {encoding} removed: not a map"),
                );
            }
        }
    }
}
