"""What the seller does with products: import them from a spreadsheet or a Shopify export,
run them live (presets, the 3-2-1 link run) and push their links to the selling platform.

The product data itself (Product, SellingSettings) lives in studio.engine.products: it is
part of the show file and must validate with it.
"""
