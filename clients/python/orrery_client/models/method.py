from enum import StrEnum

class Method(StrEnum):
    COLD_START = "cold_start"
    COLLABORATIVE = "collaborative"
    CONTENT = "content"
    HYBRID = "hybrid"
    POPULARITY = "popularity"

    def __str__(self) -> str:
        return str(self.value)
