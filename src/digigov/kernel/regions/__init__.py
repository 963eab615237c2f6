"""Administrative regions (GB/T 2260) as a tree: province, city, county, town, village."""
