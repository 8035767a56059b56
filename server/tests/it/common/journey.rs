//! A person filling in the request for support through HTTP, as a browser without JavaScript
//! would: each page is a form POST answered by a 303, the draft cookie carried along.

use super::TestApp;
use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};

/// Names, dates and free text entered in the journeys, which must never appear in the Hub's
/// triage email.
pub const SECRETS: &[&str] = &[
    "Alexandra",
    "Testperson",
    "Zephyrine",
    "Quartermaine",
    "Ignatius",
    "Wolverhampton-Smythe",
    "2019",
    "March",
    "XYZZY",
    "Millbrook",
    "alex@family.example",
    "01632 960 001",
];

pub struct Visitor<'a> {
    pub app: &'a TestApp,
    pub cookie: Option<String>,
    /// Sent as `X-Forwarded-For`, as a reverse proxy would.
    pub forwarded_for: Option<String>,
    /// Another server on the same database: when set, every request goes to the other server
    /// from the last one (as a round-robin proxy in front of two servers would send them).
    pub alternate: Option<&'a TestApp>,
}

pub struct Reply {
    pub status: u16,
    pub location: Option<String>,
    pub body: String,
}

impl<'a> Visitor<'a> {
    pub fn new(app: &'a TestApp) -> Self {
        Self {
            app,
            cookie: None,
            forwarded_for: None,
            alternate: None,
        }
    }

    fn keep_cookie(&mut self, response: &reqwest::Response) {
        if let Some(set) = response
            .headers()
            .get(SET_COOKIE)
            .and_then(|v| v.to_str().ok())
        {
            if let Some(pair) = set.split(';').next() {
                self.cookie = Some(pair.to_owned());
            }
        }
    }

    async fn reply(&mut self, response: reqwest::Response) -> Reply {
        self.keep_cookie(&response);
        if let Some(other) = self.alternate.take() {
            self.alternate = Some(std::mem::replace(&mut self.app, other));
        }
        let status = response.status().as_u16();
        let location = response
            .headers()
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = response.text().await.unwrap_or_default();
        Reply {
            status,
            location,
            body,
        }
    }

    pub async fn get(&mut self, path: &str) -> Reply {
        let mut request = self.app.client.get(self.app.url(path));
        if let Some(cookie) = &self.cookie {
            request = request.header(COOKIE, cookie);
        }
        if let Some(client) = &self.forwarded_for {
            request = request.header("x-forwarded-for", client);
        }
        let response = request.send().await.expect("GET");
        self.reply(response).await
    }

    pub async fn post(&mut self, path: &str, pairs: &[(&str, &str)]) -> Reply {
        let body: String = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        self.post_raw(path, body).await
    }

    pub async fn post_raw(&mut self, path: &str, body: String) -> Reply {
        let mut request = self
            .app
            .client
            .post(self.app.url(path))
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body);
        if let Some(cookie) = &self.cookie {
            request = request.header(COOKIE, cookie);
        }
        if let Some(client) = &self.forwarded_for {
            request = request.header("x-forwarded-for", client);
        }
        let response = request.send().await.expect("POST");
        self.reply(response).await
    }

    /// POSTs a page that must be accepted and returns where it redirects.
    pub async fn answer(&mut self, path: &str, pairs: &[(&str, &str)]) -> String {
        let reply = self.post(path, pairs).await;
        assert_eq!(
            reply.status,
            303,
            "{path} was not accepted: {}",
            error_lines(&reply.body)
        );
        reply.location.expect("a redirect")
    }

    /// Everything up to check your answers, as a parent.
    pub async fn parent_answers(&mut self, name: &str) {
        let next = self
            .answer("/request-support/who", &[("who", "parent")])
            .await;
        assert_eq!(next, "/request-support/your-details");
        self.answer(
            "/request-support/your-details",
            &[
                ("your_name", name),
                ("your_relationship", "Mother"),
                ("your_phone", "01632 960001"),
                ("your_email", "alex@family.example"),
            ],
        )
        .await;
        let next = self
            .answer("/request-support/postcode", &[("postcode", "bk1 4ab")])
            .await;
        assert_eq!(next, "/request-support/tasks");
        self.answer(
            "/request-support/agreement",
            &[
                ("family_agrees_support", "yes"),
                ("family_share_with", "school"),
                ("family_share_with", "health"),
                ("must_not_see", ""),
            ],
        )
        .await;
        self.children_and_the_rest("yes").await;
    }

    /// Everything up to check your answers, as a practitioner without the family's agreement.
    pub async fn practitioner_answers(&mut self) {
        self.answer("/request-support/who", &[("who", "practitioner")])
            .await;
        self.answer(
            "/request-support/practitioner-details",
            &[
                ("practitioner_name", "Ignatius Wolverhampton-Smythe"),
                ("practitioner_role", "Designated safeguarding lead"),
                ("practitioner_organisation", "Millbrook Primary School"),
                ("practitioner_email", "dsl@millbrook.example"),
                ("practitioner_phone", "01632 960 002"),
            ],
        )
        .await;
        self.answer("/request-support/postcode", &[("postcode", "BK2 7XY")])
            .await;
        let next = self
            .answer("/request-support/family-agreed", &[("family_agreed", "no")])
            .await;
        assert_eq!(next, "/request-support/no-agreement");
        self.answer(
            "/request-support/no-agreement",
            &[("no_agreement_reason", "XYZZY asking would raise the risk")],
        )
        .await;
        self.children_and_the_rest("no").await;
    }

    async fn children_and_the_rest(&mut self, safe_to_write: &str) {
        let next = self
            .answer(
                "/request-support/children/1",
                &[
                    ("child_first_name", "Zephyrine"),
                    ("child_last_name", "Quartermaine"),
                    ("child_dob-day", "14"),
                    ("child_dob-month", "3"),
                    ("child_dob-year", "2019"),
                    ("child_school", "Millbrook Primary"),
                    ("child_send", "not-sure"),
                ],
            )
            .await;
        assert_eq!(next, "/request-support/children");
        self.answer("/request-support/children", &[("add_another", "no")])
            .await;
        self.answer("/request-support/adults", &[("add_another", "no")])
            .await;
        let next = self
            .answer("/request-support/professionals", &[("add_another", "no")])
            .await;
        assert_eq!(next, "/request-support/support-in-place");
        self.answer(
            "/request-support/support-in-place",
            &[
                ("team_around_family", "no"),
                ("social_worker_allocated", "not-sure"),
            ],
        )
        .await;
        for (page, field) in [
            ("worries", "worries"),
            ("working-well", "working_well"),
            ("needs-to-happen", "needs_to_happen"),
            ("child-wants", "child_wants"),
        ] {
            self.answer(
                &format!("/request-support/{page}"),
                &[(field, &format!("XYZZY {page} in the family's words"))],
            )
            .await;
        }
        self.answer(
            "/request-support/need-areas",
            &[("need_areas", "housing"), ("need_areas", "domestic-abuse")],
        )
        .await;
        self.answer(
            "/request-support/contact",
            &[
                ("contact_method", "phone"),
                ("safe_to_call", "yes"),
                ("safe_to_leave_message", "no"),
                ("safe_to_write", safe_to_write),
            ],
        )
        .await;
        let next = self
            .answer("/request-support/access-needs", &[("interpreter", "no")])
            .await;
        assert_eq!(next, "/request-support/tasks");
    }

    /// Sends the request and returns the reference on the confirmation page.
    pub async fn send(&mut self) -> String {
        let reply = self.post("/request-support/check-answers", &[]).await;
        assert_eq!(reply.status, 303, "{}", error_lines(&reply.body));
        assert_eq!(
            reply.location.as_deref(),
            Some("/request-support/confirmation")
        );
        let page = self.get("/request-support/confirmation").await;
        assert_eq!(page.status, 200);
        reference_in(&page.body).expect("a reference on the confirmation page")
    }
}

/// The EH-XXXX-XXXX reference in a page or an email: the first "EH-" followed by two groups of
/// four reference characters. Every occurrence is tried, because a page also carries a random
/// CSP nonce (URL-safe base64) that can contain "EH-" by chance; CI met one.
pub fn reference_in(text: &str) -> Option<String> {
    let is_reference_char = |c: u8| app::forms::REFERENCE_ALPHABET.contains(&c);
    text.match_indices("EH-").find_map(|(start, _)| {
        let candidate = text.get(start..start + 12)?.as_bytes();
        let ok = candidate[7] == b'-'
            && candidate[3..7].iter().all(|c| is_reference_char(*c))
            && candidate[8..12].iter().all(|c| is_reference_char(*c))
            && !text
                .as_bytes()
                .get(start + 12)
                .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'-' || *c == b'_');
        ok.then(|| String::from_utf8_lossy(candidate).into_owned())
    })
}

#[test]
fn a_reference_is_found_after_a_nonce_that_contains_eh() {
    let page =
        r#"<script nonce="q9EH-x_Zk2">x</script><strong id="reference">EH-7K3Q-9M2P</strong>"#;
    assert_eq!(reference_in(page).as_deref(), Some("EH-7K3Q-9M2P"));
    let nonce_only = r#"<script nonce="aaEH-ABCD-EFGHxyz"></script>"#;
    assert_eq!(reference_in(nonce_only), None);
}

/// The error summary's lines of a page, for assertion messages.
pub fn error_lines(body: &str) -> String {
    body.split("govuk-error-summary__list")
        .nth(1)
        .map(|s| s.chars().take(600).collect())
        .unwrap_or_else(|| body.chars().take(300).collect())
}
