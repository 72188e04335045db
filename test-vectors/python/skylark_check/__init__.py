"""Independent Python checker for the Skylark test vectors.

Written from the specification text in spec/ (00..07, errors.md) alone, without
reference to the Rust crate. Each module implements one
layer:

- cbor       -- 01: the strict decoding algorithm, the encoder, diagnostic notation
- ids        -- 02: BLAKE3 derive_key identifiers and the ID-4 text forms
- ed25519    -- 03: the validity predicate SIG-1..SIG-9 in pure big-integer arithmetic
- envelope   -- 04: message verification ENV-1..ENV-14
- messages   -- 05: layer-2 validation with a context
- accounts   -- 06: key operations, canonical chain, authorization
- merge      -- 07: the merge rules, the state summary and digest
"""
