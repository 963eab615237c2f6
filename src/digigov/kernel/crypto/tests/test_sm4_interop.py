"""Our SM4-GCM (OpenSSL via cryptography) and Tongsuo's agree byte for byte, both ways."""

import os

from tongsuopy.crypto.ciphers.aead import SM4GCM

from digigov.kernel.crypto.registry import cipher


def test_sm4_gcm_interoperates_with_tongsuo():
    key, associated = os.urandom(16), b"440303199001011234"
    plaintext = "广东省深圳市罗湖区人民南路 1 号".encode()
    sealed = cipher("sm4-gcm").encrypt(key, plaintext, associated)
    assert SM4GCM(key).decrypt(sealed[:12], sealed[12:], associated) == plaintext

    nonce = os.urandom(12)
    theirs = nonce + SM4GCM(key).encrypt(nonce, plaintext, associated)
    assert cipher("sm4-gcm").decrypt(key, theirs, associated) == plaintext
