//! Every call's future is moved and polled on every call; the engine keeps
//! its rare paths boxed so it stays small (see docs/performance.md). These
//! bounds catch a change that makes it grow again: 9517412 made a GET's
//! future 1,584 bytes, and a variant of `engine::respond` that returned
//! `execute`'s future directly made it 4,000.

use std::mem::size_of_val;

fn client() -> osigu::Osigu {
    osigu::Osigu::builder()
        .environment(osigu::Environment::Custom("http://127.0.0.1:9".into()))
        .credentials("id", "secret")
        .build()
        .unwrap()
}

#[test]
fn a_generated_calls_future_stays_small() {
    let osigu = client();
    let get = osigu.list_sponsors().send();
    let body = osigu::types::StartDispensationRequest::builder(Vec::<
        osigu::types::ProductDispensationRequest,
    >::new());
    let post = osigu.start_dispensation().body(body).send();
    let (get, post) = (size_of_val(&get), size_of_val(&post));
    assert!(
        get <= 1_500,
        "a GET's future is {get} bytes (1,432 when this test was written)"
    );
    assert!(
        post <= 1_650,
        "a POST's future is {post} bytes (1,560 when this test was written)"
    );
}
