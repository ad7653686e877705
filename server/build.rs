//! `sqlx::migrate!` embeds `migrations/` when the server compiles; cargo must know to compile it
//! again when a migration is added or changed.
fn main() {
    println!("cargo:rerun-if-changed=../migrations");
}
