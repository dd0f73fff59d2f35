from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.train_request_hyperparameters_type_0 import TrainRequestHyperparametersType0
  from ..models.train_request_hyperparams_type_0 import TrainRequestHyperparamsType0
  from ..models.train_request_params_type_0 import TrainRequestParamsType0





T = TypeVar("T", bound="TrainRequest")



@_attrs_define
class TrainRequest:
    """ What to train. Three shapes are read: `algorithm` and `hyperparameters`; `model_type`
    and `hyperparams`; `retrain_cf` and `regenerate_embeddings`. With neither an algorithm nor parameters, the ranking
    model
    that validates best on a held-out split is trained (`auto`); with parameters only, `mf`
    when the data has ratings and `als` otherwise.

        Attributes:
            activate (bool | None | Unset): Activate the new version (default: only if no version is active).
            algorithm (None | str | Unset): An Orrery algorithm name (`mf`, `als`, `itemknn`, `ease`, `popularity`, …; see
                `orrery-models`), or `matrix_factorization` / `svd` for `mf`.
            hyperparameters (None | TrainRequestHyperparametersType0 | Unset): Parameters by name (e.g. `{"factors": 64,
                "epochs": 20}`), validated.
            hyperparams (None | TrainRequestHyperparamsType0 | Unset): Same as `hyperparameters` (with the aliases
                `n_factors`, `learning_rate`,
                `regularization`, `epochs`).
            model_type (None | str | Unset): Same as `algorithm`.
            params (None | TrainRequestParamsType0 | Unset): Same as `hyperparameters`.
            regenerate_embeddings (bool | None | Unset): Accepted; content features (categories and tags) are computed when
                served.
            retrain_cf (bool | None | Unset): `false` skips training.
     """

    activate: bool | None | Unset = UNSET
    algorithm: None | str | Unset = UNSET
    hyperparameters: None | TrainRequestHyperparametersType0 | Unset = UNSET
    hyperparams: None | TrainRequestHyperparamsType0 | Unset = UNSET
    model_type: None | str | Unset = UNSET
    params: None | TrainRequestParamsType0 | Unset = UNSET
    regenerate_embeddings: bool | None | Unset = UNSET
    retrain_cf: bool | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.train_request_hyperparameters_type_0 import TrainRequestHyperparametersType0 # noqa: PLC0415
        from ..models.train_request_hyperparams_type_0 import TrainRequestHyperparamsType0 # noqa: PLC0415
        from ..models.train_request_params_type_0 import TrainRequestParamsType0 # noqa: PLC0415
        activate: bool | None | Unset
        if isinstance(self.activate, Unset):
            activate = UNSET
        else:
            activate = self.activate

        algorithm: None | str | Unset
        if isinstance(self.algorithm, Unset):
            algorithm = UNSET
        else:
            algorithm = self.algorithm

        hyperparameters: dict[str, Any] | None | Unset
        if isinstance(self.hyperparameters, Unset):
            hyperparameters = UNSET
        elif isinstance(self.hyperparameters, TrainRequestHyperparametersType0):
            hyperparameters = self.hyperparameters.to_dict()
        else:
            hyperparameters = self.hyperparameters

        hyperparams: dict[str, Any] | None | Unset
        if isinstance(self.hyperparams, Unset):
            hyperparams = UNSET
        elif isinstance(self.hyperparams, TrainRequestHyperparamsType0):
            hyperparams = self.hyperparams.to_dict()
        else:
            hyperparams = self.hyperparams

        model_type: None | str | Unset
        if isinstance(self.model_type, Unset):
            model_type = UNSET
        else:
            model_type = self.model_type

        params: dict[str, Any] | None | Unset
        if isinstance(self.params, Unset):
            params = UNSET
        elif isinstance(self.params, TrainRequestParamsType0):
            params = self.params.to_dict()
        else:
            params = self.params

        regenerate_embeddings: bool | None | Unset
        if isinstance(self.regenerate_embeddings, Unset):
            regenerate_embeddings = UNSET
        else:
            regenerate_embeddings = self.regenerate_embeddings

        retrain_cf: bool | None | Unset
        if isinstance(self.retrain_cf, Unset):
            retrain_cf = UNSET
        else:
            retrain_cf = self.retrain_cf


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
        })
        if activate is not UNSET:
            field_dict["activate"] = activate
        if algorithm is not UNSET:
            field_dict["algorithm"] = algorithm
        if hyperparameters is not UNSET:
            field_dict["hyperparameters"] = hyperparameters
        if hyperparams is not UNSET:
            field_dict["hyperparams"] = hyperparams
        if model_type is not UNSET:
            field_dict["model_type"] = model_type
        if params is not UNSET:
            field_dict["params"] = params
        if regenerate_embeddings is not UNSET:
            field_dict["regenerate_embeddings"] = regenerate_embeddings
        if retrain_cf is not UNSET:
            field_dict["retrain_cf"] = retrain_cf

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.train_request_hyperparameters_type_0 import TrainRequestHyperparametersType0 # noqa: PLC0415
        from ..models.train_request_hyperparams_type_0 import TrainRequestHyperparamsType0 # noqa: PLC0415
        from ..models.train_request_params_type_0 import TrainRequestParamsType0 # noqa: PLC0415
        d = dict(src_dict)
        def _parse_activate(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        activate = _parse_activate(d.pop("activate", UNSET))


        def _parse_algorithm(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        algorithm = _parse_algorithm(d.pop("algorithm", UNSET))


        def _parse_hyperparameters(data: object) -> None | TrainRequestHyperparametersType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                hyperparameters_type_0 = TrainRequestHyperparametersType0.from_dict(data)



                return hyperparameters_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | TrainRequestHyperparametersType0 | Unset, data)

        hyperparameters = _parse_hyperparameters(d.pop("hyperparameters", UNSET))


        def _parse_hyperparams(data: object) -> None | TrainRequestHyperparamsType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                hyperparams_type_0 = TrainRequestHyperparamsType0.from_dict(data)



                return hyperparams_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | TrainRequestHyperparamsType0 | Unset, data)

        hyperparams = _parse_hyperparams(d.pop("hyperparams", UNSET))


        def _parse_model_type(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        model_type = _parse_model_type(d.pop("model_type", UNSET))


        def _parse_params(data: object) -> None | TrainRequestParamsType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                params_type_0 = TrainRequestParamsType0.from_dict(data)



                return params_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | TrainRequestParamsType0 | Unset, data)

        params = _parse_params(d.pop("params", UNSET))


        def _parse_regenerate_embeddings(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        regenerate_embeddings = _parse_regenerate_embeddings(d.pop("regenerate_embeddings", UNSET))


        def _parse_retrain_cf(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        retrain_cf = _parse_retrain_cf(d.pop("retrain_cf", UNSET))


        train_request = cls(
            activate=activate,
            algorithm=algorithm,
            hyperparameters=hyperparameters,
            hyperparams=hyperparams,
            model_type=model_type,
            params=params,
            regenerate_embeddings=regenerate_embeddings,
            retrain_cf=retrain_cf,
        )


        train_request.additional_properties = d
        return train_request

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
