//! The handlers, registered by operationId on the path templates of the
//! SDK's operation table ([`osigu::operations::ALL`]).

use std::sync::Arc;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::{MethodRouter, delete, get, post, put};
use osigu::operations::{ALL, Operation};

use crate::reply::ApiError;
use crate::state::App;

/// What the handler modules read requests with and answer through.
mod prelude {
    pub(crate) use axum::extract::{Path, Query, State};
    pub(crate) use axum::http::StatusCode;
    pub(crate) use axum::response::{IntoResponse, Response};
    pub(crate) use osigu::types;
    pub(crate) use serde::Deserialize;

    pub(crate) use crate::input::Id;
    pub(crate) use crate::reply::{ApiError, ApiJson, ApiResult, OptJson, OrNotFound, Paged};
    pub(crate) use crate::reply::{conflict_if, created, located, ok, ok_list, path_of, refuse_if};
    pub(crate) use crate::state::Shared;
    pub(crate) use crate::store::Db;
    pub(crate) use crate::typed::typed;
}

mod auth;
mod authorizations;
mod beneficiaries;
mod catalogs;
mod claims;
mod dispensing;
mod prescriptions;
mod products;
mod requests;
mod settlements;
mod subscriptions;

/// The token endpoint's path: it is outside the operation table, and the
/// one route without bearer auth.
pub(crate) const TOKEN_PATH: &str = "/v1/oauth/token";

type Handler = MethodRouter<Arc<App>>;

/// The handler of one operation, for its method; `None` for an operation
/// the sandbox does not serve.
fn handler(operation_id: &str) -> Option<Handler> {
    use auth::*;
    use authorizations::*;
    use beneficiaries::*;
    use catalogs::*;
    use claims::*;
    use dispensing::*;
    use prescriptions::*;
    use products::*;
    use requests::*;
    use settlements::*;
    use subscriptions::*;
    Some(match operation_id {
        "sendOtp" => post(otp_generate),
        "validateOtp" => post(otp_validate),
        "listSponsors" => get(list_sponsors),
        "listSponsorForms" => get(sponsor_forms),
        "searchBeneficiary" => post(search_beneficiary),
        "lookupBeneficiaries" => post(lookup_beneficiaries),
        "getDependents" => get(dependents),
        "searchExternalProviders" => get(external_providers),
        "getSponsorConfiguration" => get(sponsor_configuration),
        "getAuthorizationDocumentPolicy" | "getAuthorizationDocumentPolicyV2" => {
            get(document_policy)
        }
        "listAuthorizationRequests" => get(list_requests),
        "createAuthorizationRequest" => post(create_request),
        "getAuthorizationRequest" => get(get_request),
        "completeAuthorizationRequest" => post(complete_request),
        "uploadAuthorizationRequestFile" => post(attach_indication_multipart),
        "attachAuthorizationRequestIndicationBase64" => post(attach_indication_base64),
        "listAuthorizations" => get(list_authorizations),
        "createAuthorization" => post(create_authorization),
        "createExternallyProcessedAuthorization" => post(create_external_authorization),
        "getAuthorization" => get(get_authorization),
        "updateAuthorization" => put(update_authorization),
        "claimAuthorization" => post(claim_authorization),
        "updateAuthorizationPaymentType" => put(update_payment_type),
        "voidAuthorization" => post(void_authorization),
        "createBiometricReading" => post(create_biometric),
        "getBiometricReading" => get(get_biometric),
        "createOutpatientCareClaim" => post(create_outpatient),
        "getOutpatientCareClaimMonitor" => get(get_monitor),
        "getOutpatientCareClaim" => get(get_outpatient),
        "getClaimAuthorizationFiles" => get(outpatient_files),
        "completeOutpatientCareClaim" => post(complete_outpatient),
        "voidOutpatientCareClaim" => post(void_outpatient),
        "createMedicalProcedureClaim" => post(create_procedure),
        "getMedicalProcedureClaim" => get(get_procedure),
        "completeMedicalProcedureClaim" => post(complete_procedure),
        "voidMedicalProcedureClaim" => post(void_procedure),
        "listProducts" => get(list_catalog_products),
        "listProviderProducts" => get(list_provider_products),
        "registerProviderProduct" => post(register_provider_product),
        "removeProviderProduct" => delete(remove_provider_product),
        "startDispensation" => post(start_dispensation),
        "getDispensation" => get(get_dispensation),
        "completeDispensation" => post(complete_dispensation),
        "updateDispensationProducts" => put(update_dispensation_products),
        "getDispensationVerificationStatus" => get(verification_status),
        "voidDispensation" => post(void_dispensation),
        "getDispensingDocument" => get(dispensing_document),
        "createDocumentDispensation" => post(document_dispensation),
        "listPrescriptions" => get(list_prescriptions),
        "createPrescription" => post(create_prescription_v1),
        "createPrescriptionV1_1" => post(create_prescription_v1_1),
        "createPrescriptionV2" => post(create_prescription_v2),
        "getPrescription" => get(get_prescription),
        "resendPrescription" => post(resend_prescription),
        "searchPatients" => get(search_patients),
        "createPatient" => post(create_patient),
        "listCountries" | "listCountriesV2" => get(countries),
        "listStates" | "listStatesV2" => get(states),
        "listCities" | "listCitiesV2" => get(cities),
        "listSubdivisions" | "listSubdivisionsV2" => get(subdivisions),
        "listMedicalBoards" | "listMedicalBoardsV2" => get(medical_boards),
        "listMedicalSpecialties" | "listMedicalSpecialtiesV2" => get(specialties),
        "listMedications" | "listMedicationsV2" => get(medications),
        "listDiagnoses" => get(diagnoses),
        "searchDiagnoses" => get(search_diagnoses),
        "startSettlementBatch" => post(start_settlement),
        "listSettlementPendingAuthorizations" => get(pending_authorizations),
        "attachSettlementAuthorizations" => post(attach_authorizations),
        "uploadSettlementDocument" => post(upload_document),
        "completeSettlementBatch" => post(complete_settlement),
        "createWebhookSubscription" => post(create_subscription),
        _ => return None,
    })
}

/// Whether the sandbox has a handler for this operation.
fn served(op: &Operation) -> bool {
    handler(op.operation_id).is_some()
}

/// Routes the sandbox serves beyond the operation table, as `"METHOD
/// /path"`: the token endpoint, and the monitor an asynchronous
/// beneficiary lookup points to.
pub(crate) fn extra_routes() -> Vec<String> {
    let extra = [("POST", TOKEN_PATH), ("GET", beneficiaries::LOOKUP_MONITOR)];
    extra
        .iter()
        .map(|(method, path)| format!("{method} {path}"))
        .collect()
}

/// The router, without state or middleware.
pub(crate) fn router() -> Router<Arc<App>> {
    let mut router = Router::new().route(TOKEN_PATH, post(auth::token)).route(
        beneficiaries::LOOKUP_MONITOR,
        get(beneficiaries::lookup_monitor),
    );
    for op in ALL.iter() {
        if let Some(route) = handler(op.operation_id) {
            router = router.route(op.template, route);
        }
    }
    router
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::extract::DefaultBodyLimit::max(crate::input::MAX_BODY))
}

/// `"METHOD /template"` of every route served, operations first.
pub(crate) fn served_routes() -> Vec<String> {
    ALL.iter()
        .filter(|op| served(op))
        .map(Operation::route)
        .chain(extra_routes())
        .collect()
}

/// operationIds of the table the sandbox has no handler for.
pub(crate) fn unserved_operations() -> Vec<&'static str> {
    ALL.iter()
        .filter(|op| !served(op))
        .map(|op| op.operation_id)
        .collect()
}

async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "071-404", "no such endpoint")
}

async fn method_not_allowed() -> ApiError {
    let message = "method not allowed on this endpoint";
    ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "071-405", message)
}
