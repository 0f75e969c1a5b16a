"""The Pulumi program of Clickstream Lakeflow: Azure data lake, Unity Catalog, Lakeflow pipeline."""
