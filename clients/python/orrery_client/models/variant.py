from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="Variant")



@_attrs_define
class Variant:
    """ One variant: the share of users it gets and how their lists are made. A setting left
    unset is the server's.

        Attributes:
            name (str): Its name, unique in the experiment (letters, digits, `-`, `_`).
            share (float): Its share of users, in (0, 1]. Shares add up to at most 1; users beyond their sum
                are not in the experiment.
            algorithm (None | str | Unset): An algorithm: its newest registry version serves this variant's lists (resolved
                when the experiment is created, into `model_version`).
            cf_weight (float | None | Unset): The model's share of the personal signals, in [0, 1].
            mmr_lambda (float | None | Unset): Diversity re-ranking (maximal marginal relevance) λ in (0, 1]; 1 is none.
            model_version (int | None | Unset): A registry version to serve this variant's lists with instead of the active
                one.
            preset (None | str | Unset): A rule preset of `[flow.presets]`.
     """

    name: str
    share: float
    algorithm: None | str | Unset = UNSET
    cf_weight: float | None | Unset = UNSET
    mmr_lambda: float | None | Unset = UNSET
    model_version: int | None | Unset = UNSET
    preset: None | str | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        name = self.name

        share = self.share

        algorithm: None | str | Unset
        if isinstance(self.algorithm, Unset):
            algorithm = UNSET
        else:
            algorithm = self.algorithm

        cf_weight: float | None | Unset
        if isinstance(self.cf_weight, Unset):
            cf_weight = UNSET
        else:
            cf_weight = self.cf_weight

        mmr_lambda: float | None | Unset
        if isinstance(self.mmr_lambda, Unset):
            mmr_lambda = UNSET
        else:
            mmr_lambda = self.mmr_lambda

        model_version: int | None | Unset
        if isinstance(self.model_version, Unset):
            model_version = UNSET
        else:
            model_version = self.model_version

        preset: None | str | Unset
        if isinstance(self.preset, Unset):
            preset = UNSET
        else:
            preset = self.preset


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "name": name,
            "share": share,
        })
        if algorithm is not UNSET:
            field_dict["algorithm"] = algorithm
        if cf_weight is not UNSET:
            field_dict["cf_weight"] = cf_weight
        if mmr_lambda is not UNSET:
            field_dict["mmr_lambda"] = mmr_lambda
        if model_version is not UNSET:
            field_dict["model_version"] = model_version
        if preset is not UNSET:
            field_dict["preset"] = preset

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        name = d.pop("name")

        share = d.pop("share")

        def _parse_algorithm(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        algorithm = _parse_algorithm(d.pop("algorithm", UNSET))


        def _parse_cf_weight(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        cf_weight = _parse_cf_weight(d.pop("cf_weight", UNSET))


        def _parse_mmr_lambda(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        mmr_lambda = _parse_mmr_lambda(d.pop("mmr_lambda", UNSET))


        def _parse_model_version(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        model_version = _parse_model_version(d.pop("model_version", UNSET))


        def _parse_preset(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        preset = _parse_preset(d.pop("preset", UNSET))


        variant = cls(
            name=name,
            share=share,
            algorithm=algorithm,
            cf_weight=cf_weight,
            mmr_lambda=mmr_lambda,
            model_version=model_version,
            preset=preset,
        )

        return variant

