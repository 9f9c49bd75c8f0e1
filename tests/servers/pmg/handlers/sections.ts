// GET/PUT /config/mail and /config/admin (pmg-api API2/Config.pm $api_read_config_section and
// $api_update_config_section over PVE::SectionConfig).
import { die } from "../errors";
import { perlTrue, splitList } from "../perl";
import { checkValue, type SectionValue } from "../pmgconf";
import { param, type HandlerContext, type Route } from "../router";

function readSection(section: string) {
  return (ctx: HandlerContext): unknown => {
    const { conf, digest } = ctx.store.pmgConf();
    const data: Record<string, SectionValue> = Object.fromEntries(conf.get(section) ?? new Map());
    data.digest = digest;
    return data;
  };
}

function updateSection(section: string) {
  return (ctx: HandlerContext): Promise<null> =>
    ctx.lock.run(`update config section '${section}' failed`, () => {
      const { conf, digest } = ctx.store.pmgConf();
      const params = new Map(ctx.params);
      const given = param(ctx, "digest");
      params.delete("digest");
      // PVE::Tools::assert_if_modified
      if (perlTrue(given) && given !== digest) {
        die("detected modified configuration - file changed by other user? Try again.\n");
      }
      const deleteStr = param(ctx, "delete");
      params.delete("delete");
      if (!perlTrue(deleteStr) && params.size === 0) die("no options specified\n");
      let ids = conf.get(section);
      for (const opt of splitList(deleteStr)) {
        ids ??= new Map();
        ids.delete(opt);
      }
      // check_config($section, $param, 0, 1): no schema check, but line feeds and undef are fatal
      const options = ctx.store.sectionSchemas[section];
      const settings = new Map<string, SectionValue>();
      for (const [key, value] of params) {
        if (value === null) die(`got undefined value for option '${key}'\n`);
        settings.set(key, checkValue(options[key], key, value, true));
      }
      ids ??= new Map();
      for (const [key, value] of settings) ids.set(key, value);
      conf.set(section, ids);
      ctx.store.savePmgConf(conf);
      ctx.counters.configRewrites++; // $cfg->rewrite_config(undef, 1)
      return null;
    });
}

export const sectionRoutes: Route[] = ["mail", "admin"].map((section) => ({
  path: `/config/${section}`,
  methods: { GET: readSection(section), PUT: updateSection(section) },
}));
