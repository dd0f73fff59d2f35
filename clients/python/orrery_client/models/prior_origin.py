from enum import StrEnum

class PriorOrigin(StrEnum):
    CONFIGURED = "configured"
    DEFAULT = "default"
    TRAINED = "trained"

    def __str__(self) -> str:
        return str(self.value)
