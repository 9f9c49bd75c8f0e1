// The route table of the stand-in: every path+method here also exists in schema.json.
import type { Route } from "../router";
import { accessRoutes } from "./access";
import { dkimRoutes } from "./dkim";
import { domainsRoutes } from "./domains";
import { fetchmailRoutes } from "./fetchmail";
import { mynetworksRoutes } from "./mynetworks";
import { sectionRoutes } from "./sections";
import { transportRoutes } from "./transport";

export const ROUTES: Route[] = [
  ...accessRoutes,
  ...mynetworksRoutes,
  ...sectionRoutes,
  ...domainsRoutes,
  ...transportRoutes,
  ...dkimRoutes,
  ...fetchmailRoutes,
];
