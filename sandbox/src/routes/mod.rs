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
    pub(crate) use axum::extract::{Path, State};
    pub(crate) use axum::http::StatusCode;
    pub(crate) use axum::response::{IntoResponse, Response};
    pub(crate) use osigu::types;
    pub(crate) use serde::Deserialize;

    pub(crate) use crate::input::Id;
    pub(crate) use crate::reply::{
        ApiError, ApiJson, ApiQuery, ApiResult, OptJson, OrNotFound, Paged,
    };
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
    Some(match operation_id {
        "sendOtp" => post(auth::otp_generate),
        "validateOtp" => post(auth::otp_validate),
        "listSponsors" => get(beneficiaries::list_sponsors),
        "listSponsorForms" => get(beneficiaries::sponsor_forms),
        "searchBeneficiary" => post(beneficiaries::search_beneficiary),
        "lookupBeneficiaries" => post(beneficiaries::lookup_beneficiaries),
        "getDependents" => get(beneficiaries::dependents),
        "searchExternalProviders" => get(beneficiaries::external_providers),
        "getSponsorConfiguration" => get(beneficiaries::sponsor_configuration),
        "getAuthorizationDocumentPolicy" | "getAuthorizationDocumentPolicyV2" => {
            get(beneficiaries::document_policy)
        }
        "listAuthorizationRequests" => get(requests::list_requests),
        "createAuthorizationRequest" => post(requests::create_request),
        "getAuthorizationRequest" => get(requests::get_request),
        "completeAuthorizationRequest" => post(requests::complete_request),
        "uploadAuthorizationRequestFile" => post(requests::attach_indication_multipart),
        "attachAuthorizationRequestIndicationBase64" => post(requests::attach_indication_base64),
        "listAuthorizations" => get(authorizations::list_authorizations),
        "createAuthorization" => post(authorizations::create_authorization),
        "createExternallyProcessedAuthorization" => {
            post(authorizations::create_external_authorization)
        }
        "getAuthorization" => get(authorizations::get_authorization),
        "updateAuthorization" => put(authorizations::update_authorization),
        "claimAuthorization" => post(authorizations::claim_authorization),
        "updateAuthorizationPaymentType" => put(authorizations::update_payment_type),
        "voidAuthorization" => post(authorizations::void_authorization),
        "createBiometricReading" => post(authorizations::create_biometric),
        "getBiometricReading" => get(authorizations::get_biometric),
        "createOutpatientCareClaim" => post(claims::create_outpatient),
        "getOutpatientCareClaimMonitor" => get(claims::get_monitor),
        "getOutpatientCareClaim" => get(claims::get_outpatient),
        "getClaimAuthorizationFiles" => get(claims::outpatient_files),
        "completeOutpatientCareClaim" => post(claims::complete_outpatient),
        "voidOutpatientCareClaim" => post(claims::void_outpatient),
        "createMedicalProcedureClaim" => post(claims::create_procedure),
        "getMedicalProcedureClaim" => get(claims::get_procedure),
        "completeMedicalProcedureClaim" => post(claims::complete_procedure),
        "voidMedicalProcedureClaim" => post(claims::void_procedure),
        "listProducts" => get(products::list_catalog_products),
        "listProviderProducts" => get(products::list_provider_products),
        "registerProviderProduct" => post(products::register_provider_product),
        "removeProviderProduct" => delete(products::remove_provider_product),
        "startDispensation" => post(dispensing::start_dispensation),
        "getDispensation" => get(dispensing::get_dispensation),
        "completeDispensation" => post(dispensing::complete_dispensation),
        "updateDispensationProducts" => put(dispensing::update_dispensation_products),
        "getDispensationVerificationStatus" => get(dispensing::verification_status),
        "voidDispensation" => post(dispensing::void_dispensation),
        "getDispensingDocument" => get(dispensing::dispensing_document),
        "createDocumentDispensation" => post(dispensing::document_dispensation),
        "listPrescriptions" => get(prescriptions::list_prescriptions),
        "createPrescription" => post(prescriptions::create_prescription_v1),
        "createPrescriptionV1_1" => post(prescriptions::create_prescription_v1_1),
        "createPrescriptionV2" => post(prescriptions::create_prescription_v2),
        "getPrescription" => get(prescriptions::get_prescription),
        "resendPrescription" => post(prescriptions::resend_prescription),
        "searchPatients" => get(prescriptions::search_patients),
        "createPatient" => post(prescriptions::create_patient),
        "listCountries" | "listCountriesV2" => get(catalogs::countries),
        "listStates" | "listStatesV2" => get(catalogs::states),
        "listCities" | "listCitiesV2" => get(catalogs::cities),
        "listSubdivisions" | "listSubdivisionsV2" => get(catalogs::subdivisions),
        "listMedicalBoards" | "listMedicalBoardsV2" => get(catalogs::medical_boards),
        "listMedicalSpecialties" | "listMedicalSpecialtiesV2" => get(catalogs::specialties),
        "listMedications" | "listMedicationsV2" => get(catalogs::medications),
        "listDiagnoses" => get(catalogs::diagnoses),
        "searchDiagnoses" => get(catalogs::search_diagnoses),
        "startSettlementBatch" => post(settlements::start_settlement),
        "listSettlementPendingAuthorizations" => get(settlements::pending_authorizations),
        "attachSettlementAuthorizations" => post(settlements::attach_authorizations),
        "uploadSettlementDocument" => post(settlements::upload_document),
        "completeSettlementBatch" => post(settlements::complete_settlement),
        "createWebhookSubscription" => post(subscriptions::create_subscription),
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
    let monitor = beneficiaries::LOOKUP_MONITOR;
    vec![format!("POST {TOKEN_PATH}"), format!("GET {monitor}")]
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
