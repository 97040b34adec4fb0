fn main() {
    println!("worker ready ({})", shared::fleet_name());
}
