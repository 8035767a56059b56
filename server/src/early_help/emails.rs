//! The emails about a request for support. The triage email to the Hub carries no personal data
//! at all — no names, dates of birth or free text, in the subject or the body — only the
//! reference, when it arrived, who made it (a category), the area (outward code), whether it is
//! flagged (never which flags: "[flagged: see the request]") and a link to the staff portal. The acknowledgement carries the reference and
//! what happens next, and nothing the requester typed.

use app::forms::early_help::OUT_OF_HOURS_PHONE;

/// Facts about a request that the triage email may show.
pub struct TriageFacts<'a> {
    pub reference: &'a str,
    pub request_id: &'a str,
    pub received_at: &'a str,
    pub requester_type: &'a str,
    pub outcode: Option<&'a str>,
    pub urgency_flags: &'a [&'static str],
    pub public_url: &'a str,
}

pub fn triage(facts: &TriageFacts<'_>) -> (String, String) {
    // Not the flags themselves: "Domestic abuse" beside an area and a time, in a shared
    // mailbox, says too much about a family. The staff portal shows them.
    let flags = if facts.urgency_flags.is_empty() {
        "None"
    } else {
        "[flagged: see the request]"
    };
    let urgent = if facts.urgency_flags.is_empty() {
        ""
    } else {
        " [flagged]"
    };
    let subject = format!("New early help request {}{urgent}", facts.reference);
    let body = format!(
        "A new request for early help has arrived.\n\
         \n\
         Reference: {reference}\n\
         Received: {received}\n\
         Made by: {requester}\n\
         Area: {area}\n\
         Urgency flags: {flags}\n\
         \n\
         Read the request in the staff portal (you need to sign in):\n\
         {url}/staff/requests/{id}\n\
         \n\
         This email has no details of the child or family on purpose. Please decide next steps \
         within 1 working day.\n",
        reference = facts.reference,
        received = facts.received_at,
        requester = facts.requester_type,
        area = facts.outcode.unwrap_or("Not known"),
        url = facts.public_url,
        id = facts.request_id,
    );
    (subject, body)
}

/// `status_link`: the family's own link to the status page of their request.
pub fn acknowledgement(reference: &str, status_link: &str) -> (String, String) {
    let subject = format!("We have received your request for early help: {reference}");
    let body = format!(
        "Thank you. We have received your request for early help.\n\
         \n\
         Your reference number is {reference}\n\
         \n\
         What happens next\n\
         \n\
         The Early Help Hub will look at the request and decide next steps within 1 working day. \
         They may give you information about services that can help, offer support from a family \
         worker or another service, or ask a social worker to assess what support is needed. We \
         will contact you in the ways you told us are safe.\n\
         \n\
         You can see where your request is up to here (keep this link to yourself):\n\
         {status_link}\n\
         \n\
         If a child is in immediate danger, call 999. Out of hours, call the emergency duty team \
         on {OUT_OF_HOURS_PHONE}.\n\
         \n\
         {service}\n",
        service = app::site::COUNCIL_NAME,
    );
    (subject, body)
}
