"""DCAT-AP (2.x) descriptions of the open catalog and its datasets as rdflib graphs, which
the views serialize as JSON-LD, Turtle or RDF/XML. The whole catalog is paged like
ckanext-dcat (hydra:PagedCollection, 100 datasets a page)."""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SKOS, XSD

from ..models import License, OpenDataset, Theme
from .search import published, with_details

HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
EU_FREQUENCY = "http://publications.europa.eu/resource/authority/frequency/"
EU_ACCESS = "http://publications.europa.eu/resource/authority/access-right/"
IANA = "https://www.iana.org/assignments/media-types/"
PAGE_SIZE = 100
FREQUENCIES = {
    "realtime": "CONT",
    "daily": "DAILY",
    "weekly": "WEEKLY",
    "monthly": "MONTHLY",
    "quarterly": "QUARTERLY",
    "yearly": "ANNUAL",
    "irregular": "IRREG",
}
MEDIA_TYPES = {
    "CSV": "text/csv",
    "JSON": "application/json",
    "XLSX": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
LICENSE_URIS = {
    License.GD_OPEN: None,
    License.CC_BY: "https://creativecommons.org/licenses/by/4.0/",
    License.ODC_BY: "https://opendatacommons.org/licenses/by/",
    License.CC_ZERO: "https://creativecommons.org/publicdomain/zero/1.0/",
}


def _graph() -> Graph:
    graph = Graph()
    for prefix, namespace in (
        ("dcat", DCAT),
        ("dct", DCTERMS),
        ("foaf", FOAF),
        ("skos", SKOS),
        ("hydra", HYDRA),
        ("vcard", VCARD),
    ):
        graph.bind(prefix, namespace)
    return graph


def _zh(text: str) -> Literal:
    return Literal(text, lang="zh")


def _license(base_url: str, license_id: str) -> URIRef:
    return URIRef(LICENSE_URIS.get(license_id) or f"{base_url}/opendata/license/{license_id}")


def dataset_uri(base_url: str, name: str) -> URIRef:
    return URIRef(f"{base_url}/opendata/dataset/{name}")


def _add_dataset(graph: Graph, dataset: OpenDataset, base_url: str) -> URIRef:
    node = dataset_uri(base_url, dataset.name)
    graph.add((node, RDF.type, DCAT.Dataset))
    graph.add((node, DCTERMS.identifier, Literal(str(dataset.pk))))
    graph.add((node, DCTERMS.title, _zh(dataset.title)))
    if dataset.notes:
        graph.add((node, DCTERMS.description, _zh(dataset.notes)))
    for tag in dataset.tag_rows.all():
        graph.add((node, DCAT.keyword, _zh(tag.name)))
    theme = URIRef(f"{base_url}/opendata/theme/{dataset.theme}")
    graph.add((node, DCAT.theme, theme))
    graph.add((theme, RDF.type, SKOS.Concept))
    graph.add((theme, SKOS.prefLabel, _zh(Theme(dataset.theme).label)))
    organization = dataset.organization
    publisher = URIRef(f"{base_url}/opendata/organization/{organization.code}")
    graph.add((node, DCTERMS.publisher, publisher))
    graph.add((publisher, RDF.type, FOAF.Agent))
    graph.add((publisher, FOAF.name, _zh(organization.name)))
    contact = BNode()
    graph.add((node, DCAT.contactPoint, contact))
    graph.add((contact, RDF.type, VCARD.Organization))
    graph.add((contact, VCARD.fn, _zh(organization.name)))
    if dataset.published_at:
        graph.add((node, DCTERMS.issued, Literal(dataset.published_at, datatype=XSD.dateTime)))
    graph.add((node, DCTERMS.modified, Literal(dataset.modified_at, datatype=XSD.dateTime)))
    frequency = FREQUENCIES.get(dataset.update_frequency)
    if frequency:
        graph.add((node, DCTERMS.accrualPeriodicity, URIRef(EU_FREQUENCY + frequency)))
    access = "PUBLIC" if dataset.open_condition == "unconditional" else "RESTRICTED"
    graph.add((node, DCTERMS.accessRights, URIRef(EU_ACCESS + access)))
    if dataset.temporal_start or dataset.temporal_end:
        period = BNode()
        graph.add((node, DCTERMS.temporal, period))
        graph.add((period, RDF.type, DCTERMS.PeriodOfTime))
        if dataset.temporal_start:
            graph.add((period, DCAT.startDate, Literal(dataset.temporal_start, datatype=XSD.date)))
        if dataset.temporal_end:
            graph.add((period, DCAT.endDate, Literal(dataset.temporal_end, datatype=XSD.date)))
    for code in dataset.spatial or [dataset.region_code]:
        place = URIRef(f"{base_url}/opendata/region/{code}")
        graph.add((node, DCTERMS.spatial, place))
        graph.add((place, RDF.type, DCTERMS.Location))
        graph.add((place, DCTERMS.identifier, Literal(code)))
    graph.add(
        (node, DCAT.landingPage, URIRef(f"{base_url}/opendata/dataset/{dataset.name}.jsonld"))
    )
    license_node = _license(base_url, dataset.license_id)
    for resource in dataset.resources.all():
        distribution = URIRef(f"{base_url}/opendata/resource/{resource.pk}")
        download = URIRef(f"{base_url}/opendata/resource/{resource.pk}/download")
        graph.add((node, DCAT.distribution, distribution))
        graph.add((distribution, RDF.type, DCAT.Distribution))
        graph.add((distribution, DCTERMS.identifier, Literal(str(resource.pk))))
        graph.add((distribution, DCTERMS.title, _zh(resource.name)))
        graph.add((distribution, DCAT.accessURL, download))
        graph.add((distribution, DCAT.downloadURL, download))
        graph.add((distribution, DCTERMS.format, Literal(resource.format)))
        graph.add((distribution, DCAT.mediaType, URIRef(IANA + MEDIA_TYPES[resource.format])))
        graph.add((distribution, DCTERMS.license, license_node))
        graph.add(
            (distribution, DCTERMS.modified, Literal(resource.modified_at, datatype=XSD.dateTime))
        )
    return node


def _catalog_node(graph: Graph, base_url: str) -> URIRef:
    catalog = URIRef(f"{base_url}/opendata/catalog")
    graph.add((catalog, RDF.type, DCAT.Catalog))
    graph.add((catalog, DCTERMS.title, _zh("开放广东")))
    graph.add((catalog, DCTERMS.description, _zh("广东省公共数据开放平台的开放数据目录")))
    graph.add((catalog, FOAF.homepage, URIRef(f"{base_url}/")))
    graph.add(
        (
            catalog,
            DCTERMS.language,
            URIRef("http://publications.europa.eu/resource/authority/language/ZHO"),
        )
    )
    publisher = URIRef(f"{base_url}/opendata/organization/440000-zsj")
    graph.add((catalog, DCTERMS.publisher, publisher))
    graph.add((publisher, RDF.type, FOAF.Agent))
    graph.add((publisher, FOAF.name, _zh("广东省政务服务数据管理局")))
    return catalog


def dataset_graph(*, dataset: OpenDataset, base_url: str) -> Graph:
    """One published dataset (loaded with `with_details`) in its catalog."""
    graph = _graph()
    catalog = _catalog_node(graph, base_url)
    graph.add((catalog, DCAT.dataset, _add_dataset(graph, dataset, base_url)))
    return graph


def catalog_graph(*, base_url: str, page: int = 1) -> Graph:
    """A page of the catalog (PAGE_SIZE datasets, newest changes first) with hydra paging."""
    datasets = published()
    total = datasets.count()
    last = max(1, -(-total // PAGE_SIZE))
    page = max(1, min(page, last))
    graph = _graph()
    catalog = _catalog_node(graph, base_url)
    rows = with_details(datasets.order_by("-modified_at", "name"))[
        (page - 1) * PAGE_SIZE : page * PAGE_SIZE
    ]
    for dataset in rows:
        graph.add((catalog, DCAT.dataset, _add_dataset(graph, dataset, base_url)))
    paging = URIRef(f"{base_url}/opendata/catalog.ttl?page={page}")
    graph.add((paging, RDF.type, HYDRA.PagedCollection))
    graph.add((paging, HYDRA.totalItems, Literal(total)))
    graph.add((paging, HYDRA.itemsPerPage, Literal(PAGE_SIZE)))
    graph.add((paging, HYDRA.firstPage, Literal(f"{base_url}/opendata/catalog.ttl?page=1")))
    graph.add((paging, HYDRA.lastPage, Literal(f"{base_url}/opendata/catalog.ttl?page={last}")))
    if page < last:
        graph.add(
            (paging, HYDRA.nextPage, Literal(f"{base_url}/opendata/catalog.ttl?page={page + 1}"))
        )
    if page > 1:
        graph.add(
            (
                paging,
                HYDRA.previousPage,
                Literal(f"{base_url}/opendata/catalog.ttl?page={page - 1}"),
            )
        )
    return graph
