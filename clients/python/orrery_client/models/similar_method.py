from enum import StrEnum

class SimilarMethod(StrEnum):
    AUTO = "auto"
    COLLABORATIVE = "collaborative"
    CONTENT = "content"

    def __str__(self) -> str:
        return str(self.value)
