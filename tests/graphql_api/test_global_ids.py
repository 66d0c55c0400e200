from strawberry.relay import to_base64

from core.links import global_id


def test_links_name_objects_by_the_apis_own_global_ids():
    for type_name, pk in (("ReportRequest", 1), ("Organization", 123456), ("Pairing", "7")):
        assert global_id(type_name, pk) == to_base64(type_name, pk)
