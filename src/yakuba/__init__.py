"""yakuba (役場): one platform for a small municipality's DX plan."""
