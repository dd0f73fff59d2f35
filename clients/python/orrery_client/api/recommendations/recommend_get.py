from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.problem import Problem
from ...models.recommendation_response import RecommendationResponse
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    user_id: str,
    *,
    n: int | Unset = UNSET,
    offset: int | Unset = UNSET,
    exclude: str | Unset = UNSET,
    category: str | Unset = UNSET,
    cf_weight: float | Unset = UNSET,
    explain: bool | Unset = UNSET,
    mmr_lambda: float | Unset = UNSET,
    preset: str | Unset = UNSET,
    filter_: str | Unset = UNSET,
    boost: str | Unset = UNSET,
    pin: str | Unset = UNSET,

) -> dict[str, Any]:
    

    

    params: dict[str, Any] = {}

    params["n"] = n

    params["offset"] = offset

    params["exclude"] = exclude

    params["category"] = category

    params["cf_weight"] = cf_weight

    params["explain"] = explain

    params["mmr_lambda"] = mmr_lambda

    params["preset"] = preset

    params["filter"] = filter_

    params["boost"] = boost

    params["pin"] = pin


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/recommendations/{user_id}".format(user_id=quote(str(user_id), safe=""),),
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | RecommendationResponse | None:
    if response.status_code == 200:
        response_200 = RecommendationResponse.from_dict(response.json())



        return response_200

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())



        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())



        return response_401

    if response.status_code == 403:
        response_403 = Problem.from_dict(response.json())



        return response_403

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())



        return response_404

    if response.status_code == 409:
        response_409 = Problem.from_dict(response.json())



        return response_409

    if response.status_code == 422:
        response_422 = Problem.from_dict(response.json())



        return response_422

    if response.status_code == 500:
        response_500 = Problem.from_dict(response.json())



        return response_500

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Problem | RecommendationResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    user_id: str,
    *,
    client: AuthenticatedClient,
    n: int | Unset = UNSET,
    offset: int | Unset = UNSET,
    exclude: str | Unset = UNSET,
    category: str | Unset = UNSET,
    cf_weight: float | Unset = UNSET,
    explain: bool | Unset = UNSET,
    mmr_lambda: float | Unset = UNSET,
    preset: str | Unset = UNSET,
    filter_: str | Unset = UNSET,
    boost: str | Unset = UNSET,
    pin: str | Unset = UNSET,

) -> Response[Problem | RecommendationResponse]:
    """ Recommendations for a user: seen items are filtered, paging by `offset`.

    Args:
        user_id (str):
        n (int | Unset):
        offset (int | Unset):
        exclude (str | Unset):
        category (str | Unset):
        cf_weight (float | Unset):
        explain (bool | Unset):
        mmr_lambda (float | Unset):
        preset (str | Unset):
        filter_ (str | Unset):
        boost (str | Unset):
        pin (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | RecommendationResponse]
     """


    kwargs = _get_kwargs(
        user_id=user_id,
n=n,
offset=offset,
exclude=exclude,
category=category,
cf_weight=cf_weight,
explain=explain,
mmr_lambda=mmr_lambda,
preset=preset,
filter_=filter_,
boost=boost,
pin=pin,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    user_id: str,
    *,
    client: AuthenticatedClient,
    n: int | Unset = UNSET,
    offset: int | Unset = UNSET,
    exclude: str | Unset = UNSET,
    category: str | Unset = UNSET,
    cf_weight: float | Unset = UNSET,
    explain: bool | Unset = UNSET,
    mmr_lambda: float | Unset = UNSET,
    preset: str | Unset = UNSET,
    filter_: str | Unset = UNSET,
    boost: str | Unset = UNSET,
    pin: str | Unset = UNSET,

) -> Problem | RecommendationResponse | None:
    """ Recommendations for a user: seen items are filtered, paging by `offset`.

    Args:
        user_id (str):
        n (int | Unset):
        offset (int | Unset):
        exclude (str | Unset):
        category (str | Unset):
        cf_weight (float | Unset):
        explain (bool | Unset):
        mmr_lambda (float | Unset):
        preset (str | Unset):
        filter_ (str | Unset):
        boost (str | Unset):
        pin (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | RecommendationResponse
     """


    return sync_detailed(
        user_id=user_id,
client=client,
n=n,
offset=offset,
exclude=exclude,
category=category,
cf_weight=cf_weight,
explain=explain,
mmr_lambda=mmr_lambda,
preset=preset,
filter_=filter_,
boost=boost,
pin=pin,

    ).parsed

async def asyncio_detailed(
    user_id: str,
    *,
    client: AuthenticatedClient,
    n: int | Unset = UNSET,
    offset: int | Unset = UNSET,
    exclude: str | Unset = UNSET,
    category: str | Unset = UNSET,
    cf_weight: float | Unset = UNSET,
    explain: bool | Unset = UNSET,
    mmr_lambda: float | Unset = UNSET,
    preset: str | Unset = UNSET,
    filter_: str | Unset = UNSET,
    boost: str | Unset = UNSET,
    pin: str | Unset = UNSET,

) -> Response[Problem | RecommendationResponse]:
    """ Recommendations for a user: seen items are filtered, paging by `offset`.

    Args:
        user_id (str):
        n (int | Unset):
        offset (int | Unset):
        exclude (str | Unset):
        category (str | Unset):
        cf_weight (float | Unset):
        explain (bool | Unset):
        mmr_lambda (float | Unset):
        preset (str | Unset):
        filter_ (str | Unset):
        boost (str | Unset):
        pin (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | RecommendationResponse]
     """


    kwargs = _get_kwargs(
        user_id=user_id,
n=n,
offset=offset,
exclude=exclude,
category=category,
cf_weight=cf_weight,
explain=explain,
mmr_lambda=mmr_lambda,
preset=preset,
filter_=filter_,
boost=boost,
pin=pin,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    user_id: str,
    *,
    client: AuthenticatedClient,
    n: int | Unset = UNSET,
    offset: int | Unset = UNSET,
    exclude: str | Unset = UNSET,
    category: str | Unset = UNSET,
    cf_weight: float | Unset = UNSET,
    explain: bool | Unset = UNSET,
    mmr_lambda: float | Unset = UNSET,
    preset: str | Unset = UNSET,
    filter_: str | Unset = UNSET,
    boost: str | Unset = UNSET,
    pin: str | Unset = UNSET,

) -> Problem | RecommendationResponse | None:
    """ Recommendations for a user: seen items are filtered, paging by `offset`.

    Args:
        user_id (str):
        n (int | Unset):
        offset (int | Unset):
        exclude (str | Unset):
        category (str | Unset):
        cf_weight (float | Unset):
        explain (bool | Unset):
        mmr_lambda (float | Unset):
        preset (str | Unset):
        filter_ (str | Unset):
        boost (str | Unset):
        pin (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | RecommendationResponse
     """


    return (await asyncio_detailed(
        user_id=user_id,
client=client,
n=n,
offset=offset,
exclude=exclude,
category=category,
cf_weight=cf_weight,
explain=explain,
mmr_lambda=mmr_lambda,
preset=preset,
filter_=filter_,
boost=boost,
pin=pin,

    )).parsed
