"""What every app shares and isn't the shop: domain errors, money, the caller and actor
types, settings access, building extension points from settings, sealing, and the
helpers both APIs use. Depends on Django and nothing of ours."""
