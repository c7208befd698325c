//! The API description: every route has an operation (like kanidm's apidocs test), every
//! operation is routed with its method, and the document and Swagger UI are served with
//! no network.

use std::collections::BTreeSet;

use crate::helpers::*;
use crate::on_both_backends;

on_both_backends!(every_described_operation_is_routed_and_the_docs_are_served);

/// The settings with every face on, under `prefixes` (janua, drofus, hermes, adjutant, astakos).
fn settings(prefixes: [&str; 5]) -> steward::Settings {
    let [janua, drofus, hermes, adjutant, astakos] = prefixes;
    let vars = [
        ("STEWARD_FACES__JANUA__PREFIX", janua),
        ("STEWARD_FACES__DROFUS__PREFIX", drofus),
        ("STEWARD_FACES__HERMES__PREFIX", hermes),
        ("STEWARD_FACES__ADJUTANT__PREFIX", adjutant),
        ("STEWARD_FACES__ASTAKOS__PREFIX", astakos),
    ];
    steward::Settings::load(None, vars.into_iter().map(|(key, value)| (key.to_owned(), value.to_owned()))).unwrap()
}

#[test]
fn every_route_has_an_operation() {
    for prefixes in [["", "", "", "", ""], ["/janua", "/drofus", "/hermes", "/adjutant", "/astakos"]] {
        let faces = steward::serve::faces(&settings(prefixes));
        assert_eq!(faces.len(), 5);
        let (routes, description) = steward_http::server::routes(faces);
        let document = description.document();
        let (_, paths) = routes.into_parts();
        assert!(paths.len() > 150, "every face's routes are recorded: {}", paths.len());
        let undescribed: Vec<&String> = paths.iter().filter(|path| !steward_http::apidoc::describes(&document, path)).collect();
        assert!(undescribed.is_empty(), "routes without an operation in the API description: {undescribed:#?}");
    }
}

#[test]
fn the_document_is_openapi_3_1_with_a_tag_per_face() {
    let document = steward_http::server::routes(steward::serve::faces(&settings(["", "", "", "", ""]))).1.document();
    let json: serde_json::Value = serde_json::from_str(&document.to_json().unwrap()).unwrap();
    assert_eq!(json["openapi"], "3.1.0");
    let tags: BTreeSet<&str> = json["tags"].as_array().unwrap().iter().map(|tag| tag["name"].as_str().unwrap()).collect();
    let expected: BTreeSet<&str> = ["ops", "steward", "janua", "drofus", "hermes", "adjutant", "keystone", "astakos"].into();
    assert_eq!(tags, expected);
    // Every operation is tagged and answers something; every scheme it names exists.
    let schemes = json["components"]["securitySchemes"].as_object().unwrap();
    for (path, item) in json["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            assert_eq!(operation["tags"].as_array().map(Vec::len), Some(1), "{method} {path}");
            assert!(!operation["responses"].as_object().unwrap().is_empty(), "{method} {path}");
            for requirement in operation["security"].as_array().into_iter().flatten() {
                for scheme in requirement.as_object().unwrap().keys() {
                    assert!(schemes.contains_key(scheme), "{method} {path}: {scheme}");
                }
            }
        }
    }
}

/// A described path with its parameters filled in.
fn concrete(path: &str) -> String {
    path.split('/').map(|segment| if segment.starts_with('{') { "1" } else { segment }).collect::<Vec<_>>().join("/")
}

async fn every_described_operation_is_routed_and_the_docs_are_served(backend: Backend) {
    let db = TestDb::new(backend);
    let server = Server::start(&db, &[]);
    let response = server.http.get(server.url("/steward/v1/openapi.json")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let served: serde_json::Value = response.json().await.unwrap();
    let document = steward_http::server::routes(steward::serve::faces(&settings(["", "", "", "", ""]))).1.document();
    assert_eq!(served, serde_json::from_str::<serde_json::Value>(&document.to_json().unwrap()).unwrap(), "the served document is the code's");

    // A described method is routed: it is not answered like a method nobody serves.
    let probe = reqwest::Method::from_bytes(b"PROBE").unwrap();
    let mut unrouted = Vec::new();
    for (path, item) in served["paths"].as_object().unwrap() {
        let url = server.url(&concrete(path));
        let refused = server.http.request(probe.clone(), &url).send().await.unwrap().status();
        for method in item.as_object().unwrap().keys() {
            let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let status = server.http.request(method.clone(), &url).send().await.unwrap().status();
            if status == refused || status == 405 {
                unrouted.push(format!("{method} {path}: {status}, as an unserved method gets"));
            }
        }
    }
    assert!(unrouted.is_empty(), "described but not served: {unrouted:#?}");

    // Swagger UI, from assets in the binary.
    let page = server.http.get(server.url("/steward/v1/docs/")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("swagger-ui"));
    let script = server.http.get(server.url("/steward/v1/docs/swagger-ui-bundle.js")).send().await.unwrap();
    assert_eq!(script.status(), 200);
    assert!(script.bytes().await.unwrap().len() > 100_000, "the bundle itself, vendored");
    let initializer = server.http.get(server.url("/steward/v1/docs/swagger-initializer.js")).send().await.unwrap().text().await.unwrap();
    assert!(initializer.contains("/steward/v1/openapi.json"), "{initializer}");
    assert!(server.stop().await);
}
