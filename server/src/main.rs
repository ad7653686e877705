//! `opsdeck`: see `opsdeck --help`.

fn main() -> std::process::ExitCode {
    server::cli::main()
}
