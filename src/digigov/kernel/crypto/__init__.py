"""Cryptography: one small interface (sign, verify, hash, encrypt, decrypt) over pluggable
providers. SM2/SM3/SM4 (GB/T 32918, 32905, 32907) through Tongsuo (C) are the default;
Ed25519 and SHA-256 through `cryptography` are the alternative. Keys are named by key id."""
