from enum import StrEnum

class MetricsSurface(StrEnum):
    COLD_START = "cold_start"
    ONBOARDING = "onboarding"
    SIMILAR = "similar"
    USER = "user"

    def __str__(self) -> str:
        return str(self.value)
