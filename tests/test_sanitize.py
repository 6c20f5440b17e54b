from traceclio_core.sanitize import compile_names, name_variants, sanitize, scrub_generated


def test_sanitize_removes_contact_details_ids_numbers_and_names():
    text = ("Refund order ORD-88231 for Maria Lopez at maria@example.com, see https://shop.example.com/o/1 "
            "or call +1 415 555 0100; amount $42.50 from acme-logistics.")
    clean = sanitize(text, compile_names(["acme-logistics"]))
    for leaked in ("88231", "Maria", "Lopez", "maria@", "https", "415", "42.50", "acme"):
        assert leaked not in clean
    assert clean.startswith("Refund order")


def test_tenant_name_variants_cover_spaced_and_partial_forms():
    assert set(name_variants(["acme-logistics"])) == {"acme-logistics", "acme logistics", "acme"}
    assert "Northwind" not in sanitize("Northwind Health asked", compile_names(["northwind-health"]))


def test_generated_text_keeps_its_counts_but_loses_tenant_names():
    text = scrub_generated("12 traces (30%) mostly from Globex Retail", compile_names(["globex-retail"]))
    assert "12 traces (30%)" in text and "Globex" not in text
