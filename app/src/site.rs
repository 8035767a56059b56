//! Facts about the service that appear on many pages. One place, so they never disagree.

/// The council that runs the service (fictional: see the README).
pub const COUNCIL_NAME: &str = "Brackenshire County Council";
/// The service's name, as shown in the header and page titles.
pub const SERVICE_NAME: &str = "Family Information and Support";
/// The Family Information Service's phone line, shown on every page (Ofcom drama range).
pub const FIS_PHONE: &str = "01632 960 000";
/// The same number for `tel:` links.
pub const FIS_PHONE_TEL: &str = "+441632960000";
/// When the phone line is open.
pub const FIS_HOURS: &str = "Monday to Friday, 9am to 5pm";
/// The council's brand colour (also `$govuk-functional-colours: brand` in `style/main.scss`).
pub const BRAND_COLOUR: &str = "#0b5b60";
/// Where "Exit this page" goes (on every form and on the pages about staying safe): an
/// ordinary, harmless site.
pub const EXIT_URL: &str = "https://www.bbc.co.uk/weather";
