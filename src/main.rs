fn main() {
    println!("goaop {}", goaop::VERSION);
}
