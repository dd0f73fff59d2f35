from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.epoch_validation import EpochValidation
  from ..models.run_progress_params import RunProgressParams





T = TypeVar("T", bound="RunProgress")



@_attrs_define
class RunProgress:
    """ Where a running training is.

        Attributes:
            algorithm (str): The algorithm.
            cancel_requested (bool): Whether the run was asked to stop (`POST /training/cancel`); it stops after the
                epoch or phase under way and stores nothing.
            elapsed_seconds (float): Seconds since the start.
            epoch (int): Epochs finished in this phase.
            epochs (int): Epochs of this phase.
            params (RunProgressParams): Its parameters.
            phase (str): `loading`, `validating` (fit on the training split), `evaluating`, `tuning` (the
                flow's settings chosen on a validation split), `training` (fit on everything) or
                `saving`.
            run_id (int): Training run number.
            started_at (int): Unix seconds.
            loss (float | None | Unset): Training loss after the last epoch.
            validation (EpochValidation | None | Unset):
     """

    algorithm: str
    cancel_requested: bool
    elapsed_seconds: float
    epoch: int
    epochs: int
    params: RunProgressParams
    phase: str
    run_id: int
    started_at: int
    loss: float | None | Unset = UNSET
    validation: EpochValidation | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.epoch_validation import EpochValidation # noqa: PLC0415
        from ..models.run_progress_params import RunProgressParams # noqa: PLC0415
        algorithm = self.algorithm

        cancel_requested = self.cancel_requested

        elapsed_seconds = self.elapsed_seconds

        epoch = self.epoch

        epochs = self.epochs

        params = self.params.to_dict()

        phase = self.phase

        run_id = self.run_id

        started_at = self.started_at

        loss: float | None | Unset
        if isinstance(self.loss, Unset):
            loss = UNSET
        else:
            loss = self.loss

        validation: dict[str, Any] | None | Unset
        if isinstance(self.validation, Unset):
            validation = UNSET
        elif isinstance(self.validation, EpochValidation):
            validation = self.validation.to_dict()
        else:
            validation = self.validation


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "algorithm": algorithm,
            "cancel_requested": cancel_requested,
            "elapsed_seconds": elapsed_seconds,
            "epoch": epoch,
            "epochs": epochs,
            "params": params,
            "phase": phase,
            "run_id": run_id,
            "started_at": started_at,
        })
        if loss is not UNSET:
            field_dict["loss"] = loss
        if validation is not UNSET:
            field_dict["validation"] = validation

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.epoch_validation import EpochValidation # noqa: PLC0415
        from ..models.run_progress_params import RunProgressParams # noqa: PLC0415
        d = dict(src_dict)
        algorithm = d.pop("algorithm")

        cancel_requested = d.pop("cancel_requested")

        elapsed_seconds = d.pop("elapsed_seconds")

        epoch = d.pop("epoch")

        epochs = d.pop("epochs")

        params = RunProgressParams.from_dict(d.pop("params"))




        phase = d.pop("phase")

        run_id = d.pop("run_id")

        started_at = d.pop("started_at")

        def _parse_loss(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        loss = _parse_loss(d.pop("loss", UNSET))


        def _parse_validation(data: object) -> EpochValidation | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                validation_type_0 = EpochValidation.from_dict(data)



                return validation_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(EpochValidation | None | Unset, data)

        validation = _parse_validation(d.pop("validation", UNSET))


        run_progress = cls(
            algorithm=algorithm,
            cancel_requested=cancel_requested,
            elapsed_seconds=elapsed_seconds,
            epoch=epoch,
            epochs=epochs,
            params=params,
            phase=phase,
            run_id=run_id,
            started_at=started_at,
            loss=loss,
            validation=validation,
        )


        run_progress.additional_properties = d
        return run_progress

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
