from enum import StrEnum

class ExperimentStatus(StrEnum):
    DRAFT = "draft"
    PAUSED = "paused"
    RUNNING = "running"
    STOPPED = "stopped"

    def __str__(self) -> str:
        return str(self.value)
