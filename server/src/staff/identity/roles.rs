//! The staff roles and what each may open. Least privilege: only the teams who triage see
//! requests; admins manage accounts and read the audit log but do not open families' requests.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// The Early Help Hub: triages requests for support.
    Hub,
    /// The carers team: triages carers' referrals (kind `carers_referral`).
    Carers,
    /// Edits the directory.
    Directory,
    /// Manages staff accounts and the search synonyms; reads the audit log.
    Admin,
}

pub const ALL: [Role; 4] = [Role::Hub, Role::Carers, Role::Directory, Role::Admin];

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Hub => "hub",
            Role::Carers => "carers",
            Role::Directory => "directory",
            Role::Admin => "admin",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        ALL.into_iter().find(|r| r.as_str() == text.trim())
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Hub => "Early Help Hub",
            Role::Carers => "Carers team",
            Role::Directory => "Directory editor",
            Role::Admin => "Administrator",
        }
    }

    /// The queue kinds (triage_case.kind) this role triages.
    pub fn queue_kinds(self) -> &'static [&'static str] {
        match self {
            Role::Hub => &["early_help"],
            Role::Carers => &["carers_referral"],
            Role::Directory | Role::Admin => &[],
        }
    }

    /// Where this role starts after signing in, and the links in its menu.
    pub fn home(self) -> &'static str {
        match self {
            Role::Hub | Role::Carers => "/staff/queue",
            Role::Directory => "/staff/directory",
            Role::Admin => "/staff/audit",
        }
    }

    pub fn menu(self) -> Vec<(&'static str, &'static str)> {
        let mut links = Vec::new();
        if !self.queue_kinds().is_empty() {
            links.push(("/staff/queue", "Queue"));
        }
        if self == Role::Directory {
            links.push(("/staff/directory", "Directory"));
            links.push(("/staff/directory/review", "Review queue"));
        }
        if matches!(self, Role::Hub | Role::Admin) {
            links.push(("/staff/kpis", "Performance"));
        }
        if self == Role::Admin {
            links.push(("/staff/users", "Accounts"));
            links.push(("/staff/synonyms", "Search synonyms"));
            links.push(("/staff/audit", "Audit log"));
        }
        links.push(("/staff/account", "Your account"));
        links
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who may use each kind of staff page (the handlers check with [`Role`] sets from here; the
/// role × route test walks the same routes over HTTP).
pub mod may {
    use super::Role;
    pub const TRIAGE: &[Role] = &[Role::Hub, Role::Carers];
    pub const DECIDE_EARLY_HELP: &[Role] = &[Role::Hub];
    /// Accounts, the audit log and the search synonyms.
    pub const ADMIN: &[Role] = &[Role::Admin];
    pub const DIRECTORY: &[Role] = &[Role::Directory];
    /// Aggregate figures, no personal data.
    pub const KPIS: &[Role] = &[Role::Hub, Role::Admin];
    pub const ANY: &[Role] = &[Role::Hub, Role::Carers, Role::Directory, Role::Admin];
}
