"""Cases (expedientes): intake, victims, facts, risk assessment."""
