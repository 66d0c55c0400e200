"""The programs' GraphQL: sites, holiday service, volunteers and hours, pairings, campaigns and activities."""

from strawberry.tools import merge_types

from graphql_api.programs import campaigns, holidays, pairings, sites, volunteers

_MODULES = (sites, holidays, volunteers, pairings, campaigns)
Query = merge_types("ProgramQuery", tuple(m.Query for m in _MODULES))
Mutation = merge_types("ProgramMutation", tuple(m.Mutation for m in _MODULES))
