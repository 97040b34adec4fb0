fn main() {
    println!("api ready ({})", shared::fleet_name());
}
