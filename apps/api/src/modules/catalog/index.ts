import { defineModule } from "../module.js";
import { type CatalogLoaders, createCatalogLoaders } from "./catalog.loaders.js";
import { CatalogQueries, EventFields, VenueFields } from "./catalog.resolver.js";
import { CatalogService } from "./catalog.service.js";

declare module "../../graphql/context.js" {
  interface Services {
    catalog: CatalogService;
    /** A fresh set of catalog batch loaders (one per operation: catalogLoaders in catalog.loaders.ts). */
    newCatalogLoaders(): CatalogLoaders;
  }
}

export const catalogModule = defineModule({
  name: "catalog",
  resolvers: [CatalogQueries, EventFields, VenueFields],
  setup({ db }) {
    return {
      services: { catalog: new CatalogService(db), newCatalogLoaders: () => createCatalogLoaders(db) },
    };
  },
});
