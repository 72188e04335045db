//! Nothing: the benchmark is in `benches/peers.rs`.
