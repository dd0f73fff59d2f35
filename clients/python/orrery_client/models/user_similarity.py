from enum import StrEnum

class UserSimilarity(StrEnum):
    FACTORS = "factors"
    SHARED_ITEMS = "shared_items"

    def __str__(self) -> str:
        return str(self.value)
