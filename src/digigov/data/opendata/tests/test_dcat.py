import pytest
from rdflib import Graph
from rdflib.namespace import DCAT, DCTERMS, RDF

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("fmt,rdflib_format", [("jsonld", "json-ld"), ("ttl", "turtle")])
def test_dataset_parses_back(client, published, fmt, rdflib_format):
    response = client.get(f"/opendata/dataset/{published.name}.{fmt}")
    assert response.status_code == 200
    graph = Graph().parse(data=response.content.decode(), format=rdflib_format)
    datasets = list(graph.subjects(RDF.type, DCAT.Dataset))
    assert len(datasets) == 1
    dataset = datasets[0]
    assert str(graph.value(dataset, DCTERMS.title)) == "广州市便利店名录"
    distributions = list(graph.objects(dataset, DCAT.distribution))
    assert len(distributions) == 3
    assert all((d, RDF.type, DCAT.Distribution) in graph for d in distributions)
    assert {str(graph.value(d, DCTERMS.format)) for d in distributions} == {"CSV", "JSON", "XLSX"}
    publisher = graph.value(dataset, DCTERMS.publisher)
    assert publisher is not None and str(publisher).endswith("/organization/440100-scjg")
    keywords = {str(k) for k in graph.objects(dataset, DCAT.keyword)}
    assert keywords == {"便利店", "商业网点"}


@pytest.mark.parametrize("fmt,rdflib_format", [("jsonld", "json-ld"), ("ttl", "turtle")])
def test_catalog_parses_back(client, published, conditional, fmt, rdflib_format):
    response = client.get(f"/opendata/catalog.{fmt}")
    assert response.status_code == 200
    graph = Graph().parse(data=response.content.decode(), format=rdflib_format)
    catalogs = list(graph.subjects(RDF.type, DCAT.Catalog))
    assert len(catalogs) == 1
    assert len(list(graph.objects(catalogs[0], DCAT.dataset))) == 2
    assert len(list(graph.subjects(RDF.type, DCAT.Distribution))) == 6


def test_unknown_dataset(client, orgs):
    assert client.get("/opendata/dataset/nope.ttl").status_code == 404
