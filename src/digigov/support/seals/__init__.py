"""电子印章 and personal e-signatures: department seals, PAdES sealing, verification."""
