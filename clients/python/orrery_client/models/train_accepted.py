from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.train_accepted_params import TrainAcceptedParams





T = TypeVar("T", bound="TrainAccepted")



@_attrs_define
class TrainAccepted:
    """ A training that was started (or skipped).

        Attributes:
            message (str): What happens next.
            params (TrainAcceptedParams): Its validated parameters.
            status (str): `started`, or `skipped` when nothing was asked to train.
            algorithm (None | str | Unset): The algorithm.
            run_id (int | None | Unset): Training run number.
     """

    message: str
    params: TrainAcceptedParams
    status: str
    algorithm: None | str | Unset = UNSET
    run_id: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.train_accepted_params import TrainAcceptedParams # noqa: PLC0415
        message = self.message

        params = self.params.to_dict()

        status = self.status

        algorithm: None | str | Unset
        if isinstance(self.algorithm, Unset):
            algorithm = UNSET
        else:
            algorithm = self.algorithm

        run_id: int | None | Unset
        if isinstance(self.run_id, Unset):
            run_id = UNSET
        else:
            run_id = self.run_id


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "message": message,
            "params": params,
            "status": status,
        })
        if algorithm is not UNSET:
            field_dict["algorithm"] = algorithm
        if run_id is not UNSET:
            field_dict["run_id"] = run_id

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.train_accepted_params import TrainAcceptedParams # noqa: PLC0415
        d = dict(src_dict)
        message = d.pop("message")

        params = TrainAcceptedParams.from_dict(d.pop("params"))




        status = d.pop("status")

        def _parse_algorithm(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        algorithm = _parse_algorithm(d.pop("algorithm", UNSET))


        def _parse_run_id(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        run_id = _parse_run_id(d.pop("run_id", UNSET))


        train_accepted = cls(
            message=message,
            params=params,
            status=status,
            algorithm=algorithm,
            run_id=run_id,
        )


        train_accepted.additional_properties = d
        return train_accepted

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
