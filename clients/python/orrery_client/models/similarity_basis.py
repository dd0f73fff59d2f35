from enum import StrEnum

class SimilarityBasis(StrEnum):
    CATEGORIES_AND_TAGS = "categories_and_tags"
    EMBEDDINGS = "embeddings"
    MODEL = "model"

    def __str__(self) -> str:
        return str(self.value)
