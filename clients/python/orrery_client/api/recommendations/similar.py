from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.problem import Problem
from ...models.similar_method import SimilarMethod
from ...models.similar_response import SimilarResponse
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    item_id: str,
    *,
    n: int | Unset = UNSET,
    method: SimilarMethod | Unset = UNSET,

) -> dict[str, Any]:
    

    

    params: dict[str, Any] = {}

    params["n"] = n

    json_method: str | Unset = UNSET
    if not isinstance(method, Unset):
        json_method = method.value

    params["method"] = json_method


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/items/{item_id}/similar".format(item_id=quote(str(item_id), safe=""),),
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | SimilarResponse | None:
    if response.status_code == 200:
        response_200 = SimilarResponse.from_dict(response.json())



        return response_200

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())



        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())



        return response_401

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Problem | SimilarResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    item_id: str,
    *,
    client: AuthenticatedClient | Client,
    n: int | Unset = UNSET,
    method: SimilarMethod | Unset = UNSET,

) -> Response[Problem | SimilarResponse]:
    """ Items similar to an item.

    Args:
        item_id (str):
        n (int | Unset):
        method (SimilarMethod | Unset): Which notion of similarity `GET /items/{id}/similar` uses.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | SimilarResponse]
     """


    kwargs = _get_kwargs(
        item_id=item_id,
n=n,
method=method,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    item_id: str,
    *,
    client: AuthenticatedClient | Client,
    n: int | Unset = UNSET,
    method: SimilarMethod | Unset = UNSET,

) -> Problem | SimilarResponse | None:
    """ Items similar to an item.

    Args:
        item_id (str):
        n (int | Unset):
        method (SimilarMethod | Unset): Which notion of similarity `GET /items/{id}/similar` uses.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | SimilarResponse
     """


    return sync_detailed(
        item_id=item_id,
client=client,
n=n,
method=method,

    ).parsed

async def asyncio_detailed(
    item_id: str,
    *,
    client: AuthenticatedClient | Client,
    n: int | Unset = UNSET,
    method: SimilarMethod | Unset = UNSET,

) -> Response[Problem | SimilarResponse]:
    """ Items similar to an item.

    Args:
        item_id (str):
        n (int | Unset):
        method (SimilarMethod | Unset): Which notion of similarity `GET /items/{id}/similar` uses.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | SimilarResponse]
     """


    kwargs = _get_kwargs(
        item_id=item_id,
n=n,
method=method,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    item_id: str,
    *,
    client: AuthenticatedClient | Client,
    n: int | Unset = UNSET,
    method: SimilarMethod | Unset = UNSET,

) -> Problem | SimilarResponse | None:
    """ Items similar to an item.

    Args:
        item_id (str):
        n (int | Unset):
        method (SimilarMethod | Unset): Which notion of similarity `GET /items/{id}/similar` uses.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | SimilarResponse
     """


    return (await asyncio_detailed(
        item_id=item_id,
client=client,
n=n,
method=method,

    )).parsed
