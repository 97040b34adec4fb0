pub fn fleet_name() -> &'static str {
    "fleet"
}
