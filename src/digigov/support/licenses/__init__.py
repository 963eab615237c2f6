"""电子证照: license types, issuance with department signatures, status, verification, use."""
