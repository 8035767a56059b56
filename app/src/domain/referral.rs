//! How a family gets to use a service: contact it, drop in, or be referred by a professional.

/// How a family gets to use the service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReferralRoute {
    /// Contact the service yourself.
    SelfReferral,
    /// A professional (GP, school, social worker…) has to refer you.
    Professional,
    /// Just turn up.
    DropIn,
}

impl ReferralRoute {
    pub fn parse(value: &str) -> Option<Self> {
        match value
            .trim()
            .to_ascii_lowercase()
            .replace(['-', ' '], "_")
            .as_str()
        {
            "self" | "self_referral" => Some(Self::SelfReferral),
            "professional" | "professional_referral" => Some(Self::Professional),
            "drop_in" | "dropin" => Some(Self::DropIn),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SelfReferral => "self",
            Self::Professional => "professional",
            Self::DropIn => "drop_in",
        }
    }
}
