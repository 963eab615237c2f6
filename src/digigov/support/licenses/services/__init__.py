"""Commands of the licenses app, one module per area: issuance, status, use (wallet and
third-party authorisation). Import the area module: `from .services import issuance`."""
