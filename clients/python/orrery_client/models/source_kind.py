from enum import StrEnum

class SourceKind(StrEnum):
    SIMULATED = "simulated"
    STORE = "store"

    def __str__(self) -> str:
        return str(self.value)
