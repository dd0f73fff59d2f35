from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.problem import Problem
from ...models.user_list import UserList
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    *,
    page: int | Unset = UNSET,
    size: int | Unset = UNSET,
    gender: str | Unset = UNSET,
    occupation: str | Unset = UNSET,
    skill_level: str | Unset = UNSET,
    interest: str | Unset = UNSET,
    min_age: int | Unset = UNSET,
    max_age: int | Unset = UNSET,

) -> dict[str, Any]:
    

    

    params: dict[str, Any] = {}

    params["page"] = page

    params["size"] = size

    params["gender"] = gender

    params["occupation"] = occupation

    params["skill_level"] = skill_level

    params["interest"] = interest

    params["min_age"] = min_age

    params["max_age"] = max_age


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/users",
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | UserList | None:
    if response.status_code == 200:
        response_200 = UserList.from_dict(response.json())



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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Problem | UserList]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    page: int | Unset = UNSET,
    size: int | Unset = UNSET,
    gender: str | Unset = UNSET,
    occupation: str | Unset = UNSET,
    skill_level: str | Unset = UNSET,
    interest: str | Unset = UNSET,
    min_age: int | Unset = UNSET,
    max_age: int | Unset = UNSET,

) -> Response[Problem | UserList]:
    """ List users, a page at a time, optionally filtered (admin key when one is configured).

    Args:
        page (int | Unset):
        size (int | Unset):
        gender (str | Unset):
        occupation (str | Unset):
        skill_level (str | Unset):
        interest (str | Unset):
        min_age (int | Unset):
        max_age (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | UserList]
     """


    kwargs = _get_kwargs(
        page=page,
size=size,
gender=gender,
occupation=occupation,
skill_level=skill_level,
interest=interest,
min_age=min_age,
max_age=max_age,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    *,
    client: AuthenticatedClient,
    page: int | Unset = UNSET,
    size: int | Unset = UNSET,
    gender: str | Unset = UNSET,
    occupation: str | Unset = UNSET,
    skill_level: str | Unset = UNSET,
    interest: str | Unset = UNSET,
    min_age: int | Unset = UNSET,
    max_age: int | Unset = UNSET,

) -> Problem | UserList | None:
    """ List users, a page at a time, optionally filtered (admin key when one is configured).

    Args:
        page (int | Unset):
        size (int | Unset):
        gender (str | Unset):
        occupation (str | Unset):
        skill_level (str | Unset):
        interest (str | Unset):
        min_age (int | Unset):
        max_age (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | UserList
     """


    return sync_detailed(
        client=client,
page=page,
size=size,
gender=gender,
occupation=occupation,
skill_level=skill_level,
interest=interest,
min_age=min_age,
max_age=max_age,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    page: int | Unset = UNSET,
    size: int | Unset = UNSET,
    gender: str | Unset = UNSET,
    occupation: str | Unset = UNSET,
    skill_level: str | Unset = UNSET,
    interest: str | Unset = UNSET,
    min_age: int | Unset = UNSET,
    max_age: int | Unset = UNSET,

) -> Response[Problem | UserList]:
    """ List users, a page at a time, optionally filtered (admin key when one is configured).

    Args:
        page (int | Unset):
        size (int | Unset):
        gender (str | Unset):
        occupation (str | Unset):
        skill_level (str | Unset):
        interest (str | Unset):
        min_age (int | Unset):
        max_age (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | UserList]
     """


    kwargs = _get_kwargs(
        page=page,
size=size,
gender=gender,
occupation=occupation,
skill_level=skill_level,
interest=interest,
min_age=min_age,
max_age=max_age,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    *,
    client: AuthenticatedClient,
    page: int | Unset = UNSET,
    size: int | Unset = UNSET,
    gender: str | Unset = UNSET,
    occupation: str | Unset = UNSET,
    skill_level: str | Unset = UNSET,
    interest: str | Unset = UNSET,
    min_age: int | Unset = UNSET,
    max_age: int | Unset = UNSET,

) -> Problem | UserList | None:
    """ List users, a page at a time, optionally filtered (admin key when one is configured).

    Args:
        page (int | Unset):
        size (int | Unset):
        gender (str | Unset):
        occupation (str | Unset):
        skill_level (str | Unset):
        interest (str | Unset):
        min_age (int | Unset):
        max_age (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | UserList
     """


    return (await asyncio_detailed(
        client=client,
page=page,
size=size,
gender=gender,
occupation=occupation,
skill_level=skill_level,
interest=interest,
min_age=min_age,
max_age=max_age,

    )).parsed
