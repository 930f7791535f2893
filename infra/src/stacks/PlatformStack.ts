import { Fn, TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import type { OdpConfig } from '../config.js';
import { Catalog } from '../constructs/Catalog.js';
import { Cluster } from '../constructs/Cluster.js';
import { Flux } from '../constructs/Flux.js';
import { LanguageModel } from '../constructs/LanguageModel.js';
import { NetworkLookup } from '../constructs/NetworkLookup.js';
import { OdpStack } from '../constructs/OdpStack.js';
import { PrivateStorageAccount } from '../constructs/PrivateStorageAccount.js';
import { privateKeyVault } from '../constructs/privateKeyVault.js';
import { ServiceIdentity } from '../constructs/ServiceIdentity.js';

/**
 * The data platform: the lake's storage, the cluster that runs the service, the catalog database,
 * the vault, the language model that summarises texts, and Flux, which takes everything running in the cluster from Git. Applied by GitHub Actions.
 */
export class PlatformStack extends OdpStack {
  constructor(scope: Construct, id: string, config: OdpConfig) {
    super(scope, id, config);
    const { subnets, zones } = new NetworkLookup(this);
    const lake = new PrivateStorageAccount(this, 'lake', {
      name: config.lake.storageAccount,
      hierarchicalNamespace: true,
      containers: Object.values(config.lake.containers),
      subnetId: subnets.privateEndpoints.id,
      privateDnsZoneIds: { blob: zones.blob.id, dfs: zones.dfs.id },
    });
    const vault = privateKeyVault(this, 'vault', config.keyVault.name, {
      subnetId: subnets.privateEndpoints.id,
      privateDnsZoneId: zones.vault.id,
    });
    const cluster = new Cluster(this, { subnetId: subnets.aks.id, certificateVaultId: vault.id });
    const { writer, api } = new ServiceIdentity(this, {
      oidcIssuerUrl: cluster.aks.oidcIssuerUrl,
      lake,
      vaultId: vault.id,
    });
    const { server: catalog } = new Catalog(this, {
      subnetId: subnets.postgres.id,
      privateDnsZoneId: zones.postgres.id,
      service: writer,
    });
    const languageModel = new LanguageModel(this, {
      subnetId: subnets.privateEndpoints.id,
      privateDnsZoneId: zones.openai.id,
      caller: writer,
    });
    new Flux(this, { cluster, writer, api, lake: lake.account, catalog, vault, languageModel });

    new TerraformOutput(this, 'service_client_id', { value: writer.clientId });
    new TerraformOutput(this, 'api_client_id', { value: api.clientId });
    new TerraformOutput(this, 'storage_account', { value: lake.account.name });
    new TerraformOutput(this, 'postgres_host', { value: catalog.fqdn });
    new TerraformOutput(this, 'registry_login_server', { value: cluster.registry.loginServer });
    new TerraformOutput(this, 'cluster_name', { value: cluster.aks.name });
    new TerraformOutput(this, 'openai_endpoint', {
      value: Fn.trimsuffix(languageModel.account.endpoint, '/'),
    });
    new TerraformOutput(this, 'openai_deployment', { value: languageModel.deployment.name });
  }
}
